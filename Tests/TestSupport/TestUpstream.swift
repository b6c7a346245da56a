import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Synchronization

/// What the test upstream saw of a request.
public struct EchoReply: Codable, Sendable {
    public var method: String
    public var path: String
    public var query: String?
    /// Header names lower-cased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: String
    /// The client's `ip:port`: distinct values mean distinct connections.
    public var remote: String?
}

/// A real HTTP server that tests call through the libcurl client or the gateway: it echoes
/// requests (after `?sleep_ms=` if given), streams events, sleeps, fails on demand and counts what reached it. It stands in for a remote
/// party; it is not the project's own code.
public final class TestUpstream: Sendable {
    private let hits = Mutex<[String: Int]>([:])
    private let toggleStatus = Mutex(200)
    private let streams = Atomic<Int>(0)

    public init() {}

    /// How many requests reached a counted route (`/flaky/<key>`, `/toggle`, `internal` for `/internal/…`,
    /// `resolve` for `/internal/api-keys/resolve`).
    public func hitCount(_ key: String) -> Int { hits.withLock { $0[key] ?? 0 } }

    /// Event streams (`GET …/events`) being written now.
    public var openStreams: Int { streams.load(ordering: .relaxed) }

    /// The status `/toggle` answers with from now on.
    public func setToggleStatus(_ status: Int) { toggleStatus.withLock { $0 = status } }

    public func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: ServiceRequestContext.self)
        let echo: @Sendable (Request, ServiceRequestContext) async throws -> Response = { [self] request, context in
            if request.method == .get, request.uri.path.hasSuffix("/events") { return ticks() }
            if let millis = request.uri.queryParameters.get("sleep_ms", as: Int.self) {
                try await Task.sleep(for: .milliseconds(millis))
            }
            let body = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
            let reply = EchoReply(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query, headers: headers,
                body: String(buffer: body), remote: context.remoteAddress)
            var response = Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(reply))))
            response.headers[HTTPField.Name("X-Upstream")!] = "echo"
            response.headers[.connection] = "keep-alive"
            return response
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/echo", method: method, use: echo)
            router.on("/api/**", method: method, use: echo)
            router.on("/.well-known/**", method: method, use: echo)
        }
        router.get("/slow") { request, _ -> String in
            let millis = request.uri.queryParameters.get("ms", as: Int.self) ?? 1000
            try await Task.sleep(for: .milliseconds(millis))
            return "slow"
        }
        // A service that accepts requests and does not answer them for 5 seconds, longer than any client here waits.
        let hang: @Sendable (Request, ServiceRequestContext) async throws -> Response = { [self] _, _ in
            hits.withLock { $0["internal", default: 0] += 1 }
            try await Task.sleep(for: .seconds(5))
            return Response(status: .ok)
        }
        // The User service's API-key look-up, for a gateway pointed here: no key is known.
        router.post("/internal/api-keys/resolve") { [self] _, _ -> Response in
            hits.withLock { $0["resolve", default: 0] += 1 }
            return Response(status: .notFound)
        }
        router.on("/internal/**", method: .get, use: hang)
        router.on("/internal/**", method: .post, use: hang)
        router.on("/flaky/:key", method: .get, use: flaky)
        router.on("/flaky/:key", method: .post, use: flaky)
        router.get("/toggle") { [self] _, _ -> Response in
            hits.withLock { $0["toggle", default: 0] += 1 }
            return Response(status: .init(code: toggleStatus.withLock { $0 }))
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: TestEnvironment.logger("test-upstream"))
    }

    /// An event stream (`GET …/events`): a `tick` event every 100 ms until the client goes away.
    private func ticks() -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { [self] writer in
            streams.add(1, ordering: .relaxed)
            defer { streams.subtract(1, ordering: .relaxed) }
            var tick = 0
            do {
                while true {
                    try await writer.write(ByteBuffer(string: "id: \(tick)\nevent: tick\ndata: {}\n\n"))
                    tick += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            } catch {
                try? await writer.finish(nil)
            }
        })
    }

    /// 503 for the first two requests with a key, then 200.
    @Sendable private func flaky(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let key = context.parameters.get("key") ?? ""
        let count = hits.withLock { hits -> Int in
            hits[key, default: 0] += 1
            return hits[key]!
        }
        return Response(status: count >= 3 ? .ok : .serviceUnavailable)
    }
}
