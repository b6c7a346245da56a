import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ProductService
import ServiceKit
import TestSupport
import UserService

/// Tokens issued by the real User service for the product tests.
struct Tokens: Sendable {
    let admin: String
    let customer: String
    let otherCustomer: String
    let customerUID: String
}

/// Runs the User service (to issue tokens) and the Product service on their own databases.
func withProductService(_ body: @escaping @Sendable (any TestClientProtocol, Tokens) async throws -> Void) async throws {
    let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
    try await users.test(.live) { userClient in
        let userURL = "http://127.0.0.1:\(userClient.port!)"
        let tokens = try await issueTokens(userClient)
        let products = ProductServiceApp.buildApplication(
            configuration: try await serviceTestConfiguration(ProductServiceApp.defaults, environment: ["USER_SERVICE_URL": userURL]))
        try await products.test(.live) { client in try await body(client, tokens) }
    }
}

private func issueTokens(_ client: any TestClientProtocol) async throws -> Tokens {
    func auth(_ path: String, _ body: [String: String]) async throws -> AuthResponse {
        let response = try await client.send(path, .post, body: json(body))
        return try decode(AuthResponse.self, response)
    }
    let admin = try await auth("/api/v1/auth/login", ["email": TestCredentials.adminEmail, "password": TestCredentials.adminPassword])
    let customer = try await auth(
        "/api/v1/auth/register", ["email": "c1@example.com", "password": "password-1", "first_name": "C", "last_name": "One"])
    let other = try await auth(
        "/api/v1/auth/register", ["email": "c2@example.com", "password": "password-2", "first_name": "C", "last_name": "Two"])
    return Tokens(
        admin: admin.token.idToken, customer: customer.token.idToken, otherCustomer: other.token.idToken,
        customerUID: customer.user.uid)
}

let internalHeaders: HTTPFields = [.internalToken: TestCredentials.internalToken]

extension TestClientProtocol {
    func createCategory(_ name: String, admin: String, parent: Int? = nil) async throws -> CategoryResponse {
        var body: [String: Any] = ["name": name]
        if let parent { body["parent_id"] = parent }
        return try decode(CategoryResponse.self, try await send("/api/v1/categories", .post, headers: bearer(admin), body: json(body)))
    }

    func createProduct(_ fields: [String: Any], admin: String) async throws -> TestResponse {
        try await send("/api/v1/products", .post, headers: bearer(admin), body: json(fields))
    }

    func product(
        _ name: String, category: Int, admin: String, price: String = "10.00", stock: Int = 10, extra: [String: Any] = [:]
    ) async throws -> ProductResponse {
        let fields: [String: Any] = ["name": name, "price": price, "stock": stock, "category_id": category,
                                     "sku": "SKU-\(UUID().uuidString.prefix(8))"].merging(extra) { $1 }
        return try decode(ProductResponse.self, try await createProduct(fields, admin: admin))
    }
}
