import Foundation
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing
import UserService

@testable import Gateway

/// The gateway's relay of event streams, against an upstream that sends a `tick` every
/// 100 ms and counts the streams it is writing.
@Suite("Gateway: event streams relayed as they come")
struct StreamProxyTests {
    @Test func aStreamOutlivesTheUpstreamTimeoutAndEndsUpstreamWhenTheClientLeaves() async throws {
        let upstream = TestUpstream()
        let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        try await users.withLiveServer { userURL in
            try await upstream.makeApplication().withLiveServer { upstreamURL in
                let configuration = try await gatewayConfiguration(
                    upstream: upstreamURL, environment: ["USER_SERVICE_URL": userURL, "UPSTREAM_TIMEOUT_MS": "300"])
                try await GatewayApp.buildApplication(configuration: configuration).test(.live) { gateway in
                    let stream = try await EventStreamReader.open(port: gateway.port!, "/api/v1/products/1/events")
                    #expect(stream.status == 200 && stream.headers["content-type"] == "text/event-stream")
                    // Each tick arrives on its own, long past the 300 ms any other request may take.
                    var ids: [String] = []
                    let start = ContinuousClock.now
                    while ContinuousClock.now - start < .seconds(1.2) { ids.append(try #require(try await stream.next().id)) }
                    #expect(ids.count >= 6 && ids == (0..<ids.count).map(String.init))
                    #expect(upstream.openStreams == 1)
                    stream.disconnect()
                    #expect(try await eventually(within: 10) { upstream.openStreams == 0 })
                }
            }
        }
    }

    @Test func streamsAreBoundedPerClientIPAndAHeadOpensNone() async throws {
        let upstream = TestUpstream()
        let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        try await users.withLiveServer { userURL in
            try await upstream.makeApplication().withLiveServer { upstreamURL in
                let configuration = try await gatewayConfiguration(
                    upstream: upstreamURL, environment: ["USER_SERVICE_URL": userURL, "STREAM_LIMIT_PER_IP": "2"])
                try await GatewayApp.buildApplication(configuration: configuration).test(.live) { gateway in
                    let port = gateway.port!
                    // HEAD answers the headers and leaves no stream open, here or upstream.
                    let head = try await RawConnection.open(port: port)
                    try await head.send("HEAD /api/v1/products/1/events HTTP/1.1\r\nHost: x\r\n\r\n")
                    let headers = try await head.readResponse(toHead: true)
                    #expect(headers.status == 200 && headers.headers["content-type"] == "text/event-stream")
                    #expect(try await eventually(within: 10) { upstream.openStreams == 0 })

                    let first = try await EventStreamReader.open(port: port, "/api/v1/products/1/events")
                    let second = try await EventStreamReader.open(port: port, "/api/v1/orders/events")
                    #expect(first.status == 200 && second.status == 200)
                    let third = try await EventStreamReader.open(port: port, "/api/v1/products/2/events")
                    #expect(third.status == 429 && third.errorBody.contains("rate_limited"))
                    first.disconnect()
                    #expect(try await eventually(within: 10) {
                        try await EventStreamReader.open(port: port, "/api/v1/products/2/events").status == 200
                    })
                    _ = try await second.next()
                }
            }
        }
    }

    @Test func onlyGetsOfEventPathsAreStreams() {
        for path in ["/api/v1/orders/events", "/api/v1/orders/12/events", "/api/v1/products/3/events"] {
            #expect(UpstreamRoutes.isEventStream(path), "\(path)")
        }
        for path in ["/api/v1/orders", "/api/v1/orders//events", "/api/v1/products/events", "/api/v1/users/me/events",
                     "/api/v1/orders/1/events/2", "/api/v1/products/3/eventsx"] {
            #expect(!UpstreamRoutes.isEventStream(path), "\(path)")
        }
    }
}
