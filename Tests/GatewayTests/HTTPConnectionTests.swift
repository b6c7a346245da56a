import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// What reaches the server before any route: framing, Host, keep-alive, HEAD, slow and
/// idle clients, connections per IP. Sent byte for byte over a plain socket to the gateway,
/// whose server is every service's (the shared defaults).
@Suite("HTTP connections: framing, timeouts, limits")
struct HTTPConnectionTests {
    private func envelope(_ response: RawConnection.Response) throws -> ErrorEnvelope {
        try JSONDecoder().decode(ErrorEnvelope.self, from: Data(response.body.utf8))
    }

    /// Patience for a close the server owes (after a response, or when its timers fire): it
    /// comes within a second or two, but a machine busy with the whole run can hold a server's
    /// event loop back for a while. A close that comes returns at once.
    private let timerPatience = Duration.seconds(60)

    /// Sends `request` on a new connection; the response, and whether the server then closed.
    private func exchange(_ port: Int, _ request: String) async throws -> (RawConnection.Response, closed: Bool) {
        let connection = try await RawConnection.open(port: port)
        try await connection.send(request)
        let response = try await connection.readResponse()
        return (response, await connection.isClosed(within: timerPatience))
    }

    /// Sends `request` on a new connection; the response only.
    private func answer(_ port: Int, _ request: String) async throws -> RawConnection.Response {
        let connection = try await RawConnection.open(port: port)
        try await connection.send(request)
        return try await connection.readResponse()
    }

    /// For a failure's message: how long the server now takes to answer on a new connection,
    /// to tell a timer that never fired from a server that was not running at all.
    private func answerTime(_ port: Int) async -> String {
        let start = SuspendingClock.now
        guard let connection = try? await RawConnection.open(port: port),
            (try? await connection.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")) != nil,
            let response = try? await connection.readResponse()
        else { return "and it does not answer a new request" }
        return "while a new request got \(response.status) after \(SuspendingClock.now - start)"
    }

    @Test(arguments: [
        ("a bad request line", "GE T / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("a NUL in a header", "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\u{0}b\r\n\r\n"),
        ("headers too large", "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 90_000))\r\n\r\n"),
        ("Content-Length with Transfer-Encoding",
         "POST /api/v1/analytics/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("no Host", "GET /health/live HTTP/1.1\r\n\r\n"),
        ("two Hosts", "GET /health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    ])
    func malformedRequestsGet400InTheEnvelopeAndTheConnectionCloses(what: String, request: String) async throws {
        try await withEdge { client, _ in
            let (response, closed) = try await exchange(client.port!, request)
            #expect(response.status == 400, "\(what)")
            let body = try envelope(response)
            #expect(body.error.code == "bad_request", "\(what)")
            #expect(body.error.requestID != nil && body.error.requestID == response.headers["x-request-id"], "\(what)")
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true, "\(what)")
            #expect(closed, "\(what): the connection stayed open")
        }
    }

    @Test(arguments: ["/api/v1/analytics/events", "/api/v1/products"])
    func badChunkSizesAndUnknownTransferEncodingsAre400NotA5xxOr413(path: String) async throws {
        try await withEdge { client, _ in
            let badChunk = "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
            let (chunked, chunkedClosed) = try await exchange(client.port!, badChunk)
            #expect(chunked.status == 400, "\(path): \(chunked.body)")
            #expect(try envelope(chunked).error.code == "bad_request")
            #expect(chunkedClosed)
            let gzip = "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}"
            let encoded = try await answer(client.port!, gzip)
            #expect(encoded.status == 400, "\(path): \(encoded.body)")
            #expect(try envelope(encoded).error.code == "bad_request")
        }
    }

    @Test func http10WithoutKeepAliveIsClosedAfterItsResponseAndWithKeepAliveStaysOpen() async throws {
        try await withEdge { client, _ in
            // HTTP/1.0 needs no Host.
            let (plain, closed) = try await exchange(client.port!, "GET /health/live HTTP/1.0\r\n\r\n")
            #expect(plain.status == 200)
            #expect(closed, "an HTTP/1.0 connection without keep-alive stayed open")

            let kept = try await RawConnection.open(port: client.port!)
            try await kept.send("GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try await kept.readResponse().status == 200)
            try await kept.send("GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try await kept.readResponse().status == 200)

            let (closing, closingClosed) = try await exchange(client.port!, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n")
            #expect(closing.status == 200)
            #expect(closing.headers["connection"]?.lowercased() == "close")
            #expect(closingClosed)
        }
    }

    @Test func everyGetRouteAnswersHeadWithTheSameHeadersAndNoBody() async throws {
        try await withEdge { client, _ in
            for path in ["/health/live", "/api/v1/products", "/metrics"] {
                let get = try await client.send(path)
                let head = try await client.send(path, .head)
                #expect(head.status == get.status, "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
                #expect(head.headers[.contentLength] == get.headers[.contentLength] || path == "/metrics", "\(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
            }
            let missing = try await client.send("/no/such/route", .head)
            #expect(missing.status == .notFound)
            #expect(missing.body.readableBytes == 0)
            // Over a plain socket: the next request on the same connection is read correctly.
            let connection = try await RawConnection.open(port: client.port!)
            try await connection.send("HEAD /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await connection.readResponse(toHead: true)
            #expect(first.status == 200)
            #expect(Int(first.headers["content-length"] ?? "") ?? 0 > 0)
            let second = try await connection.readResponse()
            #expect(second.status == 200)
            #expect(second.body.contains("ok"), "\(second.body)")
        }
    }

    @Test func aKnownPathAsksWithAnotherMethodGets405WithAllow() async throws {
        try await withEdge { client, _ in
            // The gateway's own route, then the User service's behind the proxy.
            for (path, method, allowed) in [
                ("/health/live", HTTPRequest.Method(rawValue: "TRACE")!, ["GET", "HEAD"]),
                ("/api/v1/auth/register", .get, ["POST"]),
                ("/api/v1/users/me", .put, ["DELETE", "GET", "HEAD", "PATCH"]),
            ] {
                let response = try await client.send(path, method)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allowed.joined(separator: ", "), "\(method) \(path)")
                let envelope = try JSONDecoder().decode(ErrorEnvelope.self, from: Data(buffer: response.body))
                #expect(envelope.error.code == "method_not_allowed", "\(method) \(path)")
                #expect(envelope.error.details?["allowed"] == .array(allowed.map { .string($0) }), "\(method) \(path)")
            }
            // An unknown path is still 404.
            #expect(try await client.send("/no/such/route", .put).status == .notFound)
        }
    }

    @Test func halfSentHeadersAreClosedByTheHeaderTimeout() async throws {
        // The idle timeout is far off: only the header timeout can close these in time.
        try await withEdge(["HTTP_HEADER_TIMEOUT_MS": "500", "HTTP_IDLE_TIMEOUT_MS": "120000"]) { client, _ in
            let half = try await RawConnection.open(port: client.port!)
            try await half.send("GET /health/live HTTP/1.1\r\nHost: x\r\n")
            let closed = await half.isClosed(within: timerPatience)
            let answer = closed ? "" : await answerTime(client.port!)
            #expect(closed, "half-sent headers kept the connection open, \(answer)")
        }
    }

    @Test func slowAndIdleConnectionsAreClosedAndBusyOnesAreNot() async throws {
        try await withEdge(["HTTP_HEADER_TIMEOUT_MS": "500", "HTTP_IDLE_TIMEOUT_MS": "1500"]) { client, _ in
            let port = client.port!
            // Connected and silent: closed after the idle timeout, not before.
            let silent = try await RawConnection.open(port: port)
            #expect(!(await silent.isClosed(within: .milliseconds(800))), "closed before the idle timeout")
            let closed = await silent.isClosed(within: timerPatience)
            let answer = closed ? "" : await answerTime(port)
            #expect(closed, "a silent connection stayed open, \(answer)")
            // Twenty slow clients at once: all gone.
            var slow: [RawConnection] = []
            for index in 0..<20 {
                let connection = try await RawConnection.open(port: port)
                if index.isMultiple(of: 2) { try await connection.send("GET /health/live HTTP/1.1\r\nHo") }
                slow.append(connection)
            }
            for connection in slow { #expect(await connection.isClosed(within: timerPatience)) }
            // A client that keeps asking, within the idle timeout each time, keeps its connection.
            let busy = try await RawConnection.open(port: port)
            for _ in 0..<3 {
                try await busy.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await busy.readResponse().status == 200)
                try await Task.sleep(for: .milliseconds(900), clock: .suspending)
            }
            // A request that takes longer than both timeouts to answer is not cut off.
            let patient = try await RawConnection.open(port: port)
            try await patient.send("GET /api/v1/products?sleep_ms=2000 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await patient.readResponse().status == 200)
        }
    }

    @Test func connectionsPastThePerIPLimitGet429() async throws {
        try await withEdge(["HTTP_MAX_CONNECTIONS_PER_IP": "3"]) { client, _ in
            // The test client's own connection may be open too: fill up to the limit with raw ones.
            var held: [RawConnection] = []
            var refused: RawConnection.Response?
            for _ in 0..<4 {
                let connection = try await RawConnection.open(port: client.port!)
                try await connection.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try await connection.readResponse()
                if response.status == 429 {
                    refused = response
                    #expect(await connection.isClosed(within: timerPatience))
                    break
                }
                held.append(connection)
            }
            let response = try #require(refused, "4 connections from one IP were all served with a limit of 3")
            #expect(held.count <= 3)
            #expect(try envelope(response).error.code == "rate_limited")
            #expect(response.headers["retry-after"] == "1")
            // Once they close, a new connection is served again: as soon as the server has seen
            // the closes, which a busy machine may take a moment to get to.
            held.removeAll()
            var statuses: [Int] = []
            let deadline = SuspendingClock.now + timerPatience
            while statuses.last != 200, SuspendingClock.now < deadline {
                if !statuses.isEmpty { try await Task.sleep(for: .milliseconds(100), clock: .suspending) }
                let again = try await RawConnection.open(port: client.port!)
                try await again.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                statuses.append(try await again.readResponse().status)
            }
            #expect(statuses.last == 200, "after the held connections closed: \(statuses)")
            #expect(Set(statuses).isSubset(of: [200, 429]), "\(statuses)")
        }
    }
}
