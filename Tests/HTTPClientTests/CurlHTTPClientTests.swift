import Foundation
import HTTPClient
import TestSupport
import Testing

@Suite("libcurl HTTP client against a real server")
struct CurlHTTPClientTests {
    @Test func connectionsAreKeptAliveAndReused() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient(configuration: .init(maxConnectionsPerHost: 4))
            let remotes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let reply = try await client.get("\(baseURL)/echo?n=\(index)", as: EchoReply.self)
                        return reply.remote ?? ""
                    }
                    if index >= 4 { _ = try await group.next() }
                }
                var remotes = Set<String>()
                for try await remote in group { remotes.insert(remote) }
                return remotes
            }
            // 200 requests, at most 4 in flight: a handful of connections, not 200.
            #expect(remotes.count <= 8)
        }
    }

    @Test func aThousandConcurrentRequestsAllComeBackRight() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
            let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let request = HTTPClientRequest(method: "POST", url: "\(baseURL)/echo", body: Array("body-\(index)".utf8))
                        let reply = try await client.decoding(EchoReply.self, from: request)
                        return reply.body == "body-\(index)" && reply.method == "POST"
                    }
                }
                var mismatches = 0
                for try await matched in group where !matched { mismatches += 1 }
                return mismatches
            }
            #expect(mismatches == 0)
        }
    }

    @Test func totalTimeoutCutsAHangingRequestShort() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient(configuration: .init(timeout: .milliseconds(200), retry: .never))
            let start = SuspendingClock.now
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPClientRequest(url: "\(baseURL)/slow?ms=3000"))
            }
            #expect(error == .timeout(upstream: baseURL))
            // Cut at 200 ms, long before the 3 s answer (the margin is for a busy machine).
            #expect(SuspendingClock.now - start < .milliseconds(2500))
        }
    }

    @Test func connectionRefusedIsReported() async throws {
        let port = try await ShellCommand.freePort()
        let client = CurlHTTPClient(configuration: .init(retry: .never))
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/anything"))
        }
        #expect(error == .connectFailed(upstream: "http://127.0.0.1:\(port)"))
    }

    @Test func onlyIdempotentRequestsAreRetried() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient(
                configuration: .init(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5)),
                                     circuitBreaker: .init(failureThreshold: 100)))
            let get = try await client.execute(HTTPClientRequest(url: "\(baseURL)/flaky/get"))
            #expect(get.status == 200)
            #expect(upstream.hitCount("get") == 3)

            let post = try await client.execute(HTTPClientRequest(method: "POST", url: "\(baseURL)/flaky/post", body: []))
            #expect(post.status == 503)
            #expect(upstream.hitCount("post") == 1)
        }
    }

    @Test func theCircuitOpensThenHalfOpensAndCloses() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient(
                configuration: .init(retry: .never, circuitBreaker: .init(failureThreshold: 3, openDuration: .milliseconds(1500))))
            // The open period is long enough that a busy machine cannot let it lapse between two calls.
            let request = HTTPClientRequest(url: "\(baseURL)/toggle")
            upstream.setToggleStatus(500)
            for _ in 0..<3 { #expect(try await client.execute(request).status == 500) }
            await #expect(throws: HTTPClientError.circuitOpen(upstream: baseURL)) { try await client.execute(request) }
            #expect(upstream.hitCount("toggle") == 3)

            // After the open period one probe goes through; it fails, so the circuit opens again.
            try await Task.sleep(for: .milliseconds(1600))
            #expect(try await client.execute(request).status == 500)
            #expect(upstream.hitCount("toggle") == 4)
            await #expect(throws: HTTPClientError.circuitOpen(upstream: baseURL)) { try await client.execute(request) }

            // The next probe succeeds and closes it.
            upstream.setToggleStatus(200)
            try await Task.sleep(for: .milliseconds(1600))
            #expect(try await client.execute(request).status == 200)
            #expect(client.circuitState(for: baseURL) == .closed(consecutiveFailures: 0))
            #expect(try await client.execute(request).status == 200)
        }
    }

    @Test func requestIDAndHeadersAndBodiesTravel() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient()
            let trace = TraceContext.continuing("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            let reply = try await RequestIDPropagation.$current.withValue("req-123") {
                try await TraceContext.$current.withValue(trace) {
                try await client.decoding(
                    EchoReply.self,
                    from: HTTPClientRequest(
                        method: "PATCH", url: "\(baseURL)/echo?a=1&b=two", headers: [("X-Custom", "yes")],
                        body: Array(#"{"k":"v"}"#.utf8)))
                }
            }
            #expect(reply.method == "PATCH")
            #expect(reply.query == "a=1&b=two")
            #expect(reply.body == #"{"k":"v"}"#)
            #expect(reply.headers["x-request-id"] == "req-123")
            // The trace goes on with this span as the parent of the call.
            #expect(reply.headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(trace.spanID)-01")
            #expect(reply.headers["x-custom"] == "yes")

            let deleted = try await client.decoding(EchoReply.self, from: HTTPClientRequest(method: "DELETE", url: "\(baseURL)/echo"))
            #expect(deleted.method == "DELETE")
            #expect(deleted.body.isEmpty)
            let response = try await client.execute(HTTPClientRequest(url: "\(baseURL)/echo"))
            #expect(response.header("x-upstream") == "echo")
        }
    }

    @Test func cancellingTheTaskAbandonsTheRequest() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(10), retry: .never))
            let task = Task { try await client.execute(HTTPClientRequest(url: "\(baseURL)/slow?ms=5000")) }
            try await Task.sleep(for: .milliseconds(100))
            let start = SuspendingClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // Well before the 5 s answer, with room for a machine busy with the other suites.
            #expect(SuspendingClock.now - start < .seconds(4))
        }
    }
}
