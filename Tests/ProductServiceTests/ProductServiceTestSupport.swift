import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import ProductService
import ServiceKit
import TestSupport
import UserService

typealias Tokens = TestTokens

/// Runs the User service (to issue tokens) and the Product service on their own databases.
func withProductService(
    environment: [String: String] = [:], _ body: @escaping @Sendable (any TestClientProtocol, Tokens) async throws -> Void
) async throws {
    try await withProductServiceAndDatabase(environment: environment) { client, tokens, _ in try await body(client, tokens) }
}

/// The same, with a pool on the Product service's database for changes made behind its back.
func withProductServiceAndDatabase(
    environment: [String: String] = [:],
    _ body: @escaping @Sendable (any TestClientProtocol, Tokens, PostgresPool) async throws -> Void
) async throws {
    let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
    try await users.test(.live) { userClient in
        let userURL = "http://127.0.0.1:\(userClient.port!)"
        let tokens = try await TestTokens.issue(userClient)
        let configuration = try await serviceTestConfiguration(
            ProductServiceApp.defaults, environment: ["USER_SERVICE_URL": userURL].merging(environment) { $1 })
        let products = try ProductServiceApp.buildApplication(configuration: configuration)
        var database = configuration.database
        database.maxConnections = 2
        database.minIdleConnections = 0  // opened only by the tests that use it
        let pool = PostgresPool(configuration: database, logger: TestEnvironment.logger("behind-the-service"))
        do {
            try await products.test(.live) { client in try await body(client, tokens, pool) }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
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
