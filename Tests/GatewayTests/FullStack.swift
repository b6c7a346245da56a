import Contracts
import Foundation
import HTTPTypes
@testable import Gateway
import HummingbirdTesting
import OrderService
import ProductService
import ServiceKit
import TestSupport
import Testing
import UserService

/// The gateway in front of the three real services, each on its own database.
struct FullStack: Sendable {
    let gateway: any TestClientProtocol
    /// The Product service's configuration: a second replica runs with it on the same database.
    let productConfiguration: ServiceConfiguration
    let userURL: String
    let orderURL: String
    let productURL: String

    var gatewayPort: Int { gateway.port! }
}

/// Runs ``FullStack`` for `body`: `everyService` adds to every service's settings (the
/// gateway's included), `gateway` to the gateway's.
func withFullStack(
    gateway gatewayEnvironment: [String: String] = [:], everyService: [String: String] = [:],
    _ body: @escaping @Sendable (FullStack) async throws -> Void
) async throws {
    let users = try await UserServiceApp.buildApplication(
        configuration: try await serviceTestConfiguration(UserServiceApp.defaults, environment: everyService))
    try await users.withLiveServer { userURL in
        let productPort = try await ShellCommand.freePort()
        let productURL = "http://127.0.0.1:\(productPort)"
        let orders = try OrderServiceApp.buildApplication(configuration: try await serviceTestConfiguration(
            OrderServiceApp.defaults,
            environment: everyService.merging(["USER_SERVICE_URL": userURL, "PRODUCT_SERVICE_URL": productURL]) { $1 }))
        try await orders.withLiveServer { orderURL in
            let productConfiguration = try await serviceTestConfiguration(
                ProductServiceApp.defaults,
                environment: everyService.merging(["USER_SERVICE_URL": userURL, "ORDER_SERVICE_URL": orderURL, "PORT": "\(productPort)"]) { $1 })
            try await ProductServiceApp.buildApplication(configuration: productConfiguration).withServer(onPort: productPort) {
                let configuration = try await gatewayConfiguration(
                    upstream: userURL,
                    environment: everyService.merging(gatewayEnvironment) { $1 }
                        .merging(["PRODUCT_SERVICE_URL": productURL, "ORDER_SERVICE_URL": orderURL]) { $1 })
                try await GatewayApp.buildApplication(configuration: configuration).test(.live) { gateway in
                    try await body(FullStack(
                        gateway: gateway, productConfiguration: productConfiguration, userURL: userURL, orderURL: orderURL,
                        productURL: productURL))
                }
            }
        }
    }
}

extension TestClientProtocol {
    /// The bootstrap admin's bearer token.
    func adminToken() async throws -> String {
        try decode(AuthResponse.self, try await send(
            "/api/v1/auth/login", .post,
            body: json(["email": TestCredentials.adminEmail, "password": TestCredentials.adminPassword]))).token.idToken
    }

    /// A newly registered customer.
    func newCustomer() async throws -> AuthResponse {
        try decode(AuthResponse.self, try await send("/api/v1/auth/register", .post, body: json(
            ["email": "c\(UInt32.random(in: 0...UInt32.max))@example.com", "password": "password-1", "first_name": "C", "last_name": "Ustomer"])))
    }

    /// A new API key with `permissions`, created by the admin; its `X-API-Key` header.
    func apiKey(_ permissions: [String], admin: String) async throws -> HTTPFields {
        let created = try await send(
            "/api/v1/api-keys", .post, headers: bearer(admin),
            body: json(["name": permissions.joined(separator: " "), "permissions": permissions, "rate_limit": 1000]))
        return [HTTPField.Name("X-API-Key")!: try #require(try decode(APIKeyResponse.self, created).key)]
    }
}
