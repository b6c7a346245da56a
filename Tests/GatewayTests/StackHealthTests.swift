import Contracts
import Foundation
import Gateway
import HummingbirdTesting
import NIOCore
import OrderService
import ProductService
import ServiceKit
import TestSupport
import Testing
import UserService

@Suite("Gateway health over the real services")
struct StackHealthTests {
    /// Runs the three services, each on its own new database, and hands their base URLs to `body`.
    private func withServices(_ body: @escaping @Sendable (String, String, String) async throws -> Void) async throws {
        let user = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        let product = try ProductServiceApp.buildApplication(configuration: try await serviceTestConfiguration(ProductServiceApp.defaults))
        let order = try OrderServiceApp.buildApplication(configuration: try await serviceTestConfiguration(OrderServiceApp.defaults))
        try await user.withLiveServer { userURL in
            try await product.withLiveServer { productURL in
                try await order.withLiveServer { orderURL in
                    try await body(userURL, productURL, orderURL)
                }
            }
        }
    }

    @Test func healthIsOkWhenEveryPartIsUp() async throws {
        try await withServices { userURL, productURL, orderURL in
            let configuration = try await gatewayConfiguration(
                upstream: userURL, environment: ["PRODUCT_SERVICE_URL": productURL, "ORDER_SERVICE_URL": orderURL])
            try await GatewayApp.buildApplication(configuration: configuration).test(.live) { client in
                let response = try await client.send("/health")
                #expect(response.status == .ok)
                let health = try JSONDecoder().decode(StackHealth.self, from: Data(buffer: response.body))
                #expect(health.status == "ok")
                #expect(Set(health.services.keys) == ["user", "product", "order", "gateway"])
                #expect(health.services.values.allSatisfy { $0.checks?["database"] == "ok" })
            }
        }
    }

    @Test func tokensFromTheUserServiceWorkThroughTheGatewayAndForgeriesDoNot() async throws {
        try await withServices { userURL, productURL, orderURL in
            let configuration = try await gatewayConfiguration(
                upstream: userURL, environment: ["PRODUCT_SERVICE_URL": productURL, "ORDER_SERVICE_URL": orderURL])
            try await GatewayApp.buildApplication(configuration: configuration).test(.live) { client in
                let registered = try await client.send(
                    "/api/v1/auth/register", .post,
                    body: ByteBuffer(string: #"{"email":"edge@example.com","password":"correct horse","first_name":"E","last_name":"Dge"}"#))
                #expect(registered.status == .created)
                let token = try decode(AuthResponse.self, registered).token.idToken
                let me = try await client.send("/api/v1/users/me", headers: [.authorization: "Bearer \(token)"])
                #expect(me.status == .ok)
                var forged = token
                forged.removeLast(4)
                forged += "AAAA"
                let refused = try await client.send("/api/v1/users/me", headers: [.authorization: "Bearer \(forged)"])
                #expect(refused.status == .unauthorized)
            }
        }
    }

    @Test func healthNamesTheServiceThatIsDown() async throws {
        let deadPort = try await ShellCommand.freePort()
        try await withServices { userURL, productURL, _ in
            let configuration = try await gatewayConfiguration(
                upstream: userURL,
                environment: ["PRODUCT_SERVICE_URL": productURL, "ORDER_SERVICE_URL": "http://127.0.0.1:\(deadPort)"])
            try await GatewayApp.buildApplication(configuration: configuration).test(.live) { client in
                let response = try await client.send("/health")
                #expect(response.status == .serviceUnavailable)
                let health = try JSONDecoder().decode(StackHealth.self, from: Data(buffer: response.body))
                #expect(health.status == "degraded")
                #expect(health.services["order"]?.status == "down")
                #expect(health.services["product"]?.status == "ok")
            }
        }
    }
}
