import Contracts
import Foundation
import Gateway
import HTTPClient
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceKit
import TestSupport
import Testing


@Suite("Gateway reverse proxy")
struct ProxyTests {
    @Test func forwardsMethodPathQueryBodyAndSafeHeaders() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let gateway = try GatewayApp.buildApplication(configuration: try await gatewayConfiguration(upstream: upstream))
            try await gateway.test(.live) { client in
                let headers: HTTPFields = [
                    .requestID: "trace-42", HTTPField.Name("X-User-Id")!: "admin", HTTPField.Name("X-Internal-Token")!: "guess",
                    HTTPField.Name("X-Custom")!: "kept", .cookie: "a=1", .connection: "keep-alive",
                    HTTPField.Name("traceparent")!: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                ]
                let response = try await client.send(
                    "/api/v1/orders/5?expand=items", .post, headers: headers, body: ByteBuffer(string: #"{"a":1}"#))
                #expect(response.status == .ok)
                #expect(response.headers[.requestID] == "trace-42")
                #expect(response.headers[HTTPField.Name("X-Upstream")!] == "echo")
                let echo = try decode(EchoReply.self, response)
                #expect(echo.method == "POST")
                #expect(echo.path == "/api/v1/orders/5")
                #expect(echo.query == "expand=items")
                #expect(echo.body == #"{"a":1}"#)
                #expect(echo.headers["x-request-id"] == "trace-42")
                #expect(echo.headers["x-custom"] == "kept")
                #expect(echo.headers["cookie"] == "a=1")
                // The client's trace goes on, with the gateway's span as the service's parent.
                let traceparent = try #require(echo.headers["traceparent"].flatMap(TraceContext.parse))
                #expect(traceparent.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
                #expect(traceparent.spanID != "00f067aa0ba902b7")
                #expect(echo.headers["x-user-id"] == nil)
                #expect(echo.headers["x-internal-token"] == nil)
                #expect(echo.headers["x-forwarded-for"] == "127.0.0.1")
            }
        }
    }

    @Test func everyServicePrefixIsRoutedAndAssignedARequestID() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let gateway = try GatewayApp.buildApplication(configuration: try await gatewayConfiguration(upstream: upstream))
            try await gateway.test(.live) { client in
                for path in ["/api/v1/auth/login", "/api/v1/users/me", "/api/v1/api-keys", "/.well-known/jwks.json",
                             "/api/v1/categories", "/api/v1/products", "/api/v1/reviews/1", "/api/v1/orders"] {
                    let response = try await client.send(path)
                    #expect(response.status == .ok, "\(path)")
                    let echo = try decode(EchoReply.self, response)
                    #expect(echo.path == path)
                    #expect(echo.headers["x-request-id"] == response.headers[.requestID])
                }
            }
        }
    }

    @Test func aMalformedBearerTokenIsRefusedAtTheEdge() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let gateway = try GatewayApp.buildApplication(configuration: try await gatewayConfiguration(upstream: upstream))
            try await gateway.test(.live) { client in
                let response = try await client.send("/api/v1/orders", headers: [.authorization: "Bearer not-a-jwt"])
                #expect(response.status == .unauthorized)
                #expect(try decode(ErrorEnvelope.self, response).error.code == "unauthorized")
            }
        }
    }

    @Test func internalAndUnknownPathsAreNotFound() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let gateway = try GatewayApp.buildApplication(configuration: try await gatewayConfiguration(upstream: upstream))
            try await gateway.test(.live) { client in
                for path in ["/internal/users/abc", "/api/v1/productsx", "/api/v2/products"] {
                    let response = try await client.send(path)
                    #expect(response.status == .notFound, "\(path)")
                    #expect(try decode(ErrorEnvelope.self, response).error.code == "not_found")
                }
            }
        }
    }

    @Test func aBodyOverTheLimitIsRefused() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let configuration = try await gatewayConfiguration(upstream: upstream, environment: ["GATEWAY_MAX_BODY_BYTES": "1024"])
            let gateway = try GatewayApp.buildApplication(configuration: configuration)
            try await gateway.test(.live) { client in
                let response = try await client.send(
                    "/api/v1/products", .post, body: ByteBuffer(repeating: UInt8(ascii: "x"), count: 4096))
                #expect(response.status == .contentTooLarge)
                #expect(try decode(ErrorEnvelope.self, response).error.code == "payload_too_large")
            }
        }
    }

    @Test func aDeadUpstreamIsAFast503() async throws {
        let deadPort = try await ShellCommand.freePort()
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let configuration = try await gatewayConfiguration(
                upstream: upstream, environment: ["ORDER_SERVICE_URL": "http://127.0.0.1:\(deadPort)"])
            let gateway = try GatewayApp.buildApplication(configuration: configuration)
            try await gateway.test(.live) { client in
                let start = SuspendingClock.now
                let response = try await client.send("/api/v1/orders")
                #expect(response.status == .serviceUnavailable)
                #expect(try decode(ErrorEnvelope.self, response).error.code == "upstream_unavailable")
                #expect(SuspendingClock.now - start < .seconds(3))
                #expect(try await client.send("/api/v1/products").status == .ok)
            }
        }
    }

    @Test func aHangingUpstreamIsA503WithinItsTimeout() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let configuration = try await gatewayConfiguration(upstream: upstream, environment: ["UPSTREAM_TIMEOUT_MS": "300"])
            let gateway = try GatewayApp.buildApplication(configuration: configuration)
            try await gateway.test(.live) { client in
                let start = SuspendingClock.now
                let response = try await client.send("/api/v1/orders?sleep_ms=5000", .post, body: ByteBuffer(string: "{}"))
                #expect(response.status == .serviceUnavailable)
                // Cut at 300 ms, long before the 5 s answer (the margin is for a busy machine).
                #expect(SuspendingClock.now - start < .seconds(3))
            }
        }
    }
}
