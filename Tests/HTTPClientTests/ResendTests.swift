import Foundation
import HTTPClient
import TestSupport
import Testing

/// libcurl re-sends a request on a fresh connection when a kept-alive one dies before any
/// answer, POSTs included. A peer that read the request may have acted on it, so a request
/// that is not idempotent must not go twice, and its failure must not say "never sent".
@Suite("libcurl client: requests on a connection that dies")
struct ResendTests {
    private let client = CurlHTTPClient(configuration: .init(timeout: .seconds(5), retry: .never))

    private func post(_ server: DroppingHTTPServer, _ path: String) -> HTTPClientRequest {
        HTTPClientRequest(method: "POST", url: "http://127.0.0.1:\(server.port)\(path)", body: Array("{}".utf8))
    }

    @Test func aPostWhoseConnectionDiesUnansweredIsNotSentAgain() async throws {
        let server = try DroppingHTTPServer(drop: 2)
        #expect(try await client.execute(post(server, "/first")).status == 200)
        // Written on the kept-alive connection, read by the server, unanswered.
        let error = await #expect(throws: HTTPClientError.self) { try await client.execute(post(server, "/second")) }
        #expect(server.requests == ["POST /first", "POST /second"], "the POST was delivered again")
        guard case .transport = error else {
            Issue.record("a request that reached the peer was reported as \(String(describing: error))")
            return
        }
    }

    @Test func aPostWhosePeerWentDownAfterReadingItIsUncertainNotNeverSent() async throws {
        let server = try DroppingHTTPServer(drop: 2, stopAfterDrop: true)
        #expect(try await client.execute(post(server, "/first")).status == 200)
        // The re-send finds nobody listening: that refusal must not be read as "the request never left".
        let error = await #expect(throws: HTTPClientError.self) { try await client.execute(post(server, "/second")) }
        #expect(error != .connectFailed(upstream: "http://127.0.0.1:\(server.port)"))
        #expect(server.requests == ["POST /first", "POST /second"])
    }

    @Test func aGetIsStillSentAgainOnAFreshConnection() async throws {
        let server = try DroppingHTTPServer(drop: 2)
        let url = "http://127.0.0.1:\(server.port)"
        #expect(try await client.execute(HTTPClientRequest(url: "\(url)/first")).status == 200)
        #expect(try await client.execute(HTTPClientRequest(url: "\(url)/second")).status == 200)
        #expect(server.requests == ["GET /first", "GET /second", "GET /second"])
    }

    @Test func aRequestToAPortNobodyListensOnWasNeverSent() async throws {
        let server = try DroppingHTTPServer(drop: 1)
        server.stop()
        let error = await #expect(throws: HTTPClientError.self) { try await client.execute(post(server, "/nobody")) }
        #expect(error == .connectFailed(upstream: "http://127.0.0.1:\(server.port)"))
    }
}
