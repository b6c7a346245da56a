import Contracts
import Foundation
import HTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrderService
import Postgres
import ProductService
import ServiceKit
import TestSupport
import UserService

/// The three services, each on its own database: the User service (tokens), the Order
/// service under test (`orders`) and the Product service, which asks that Order service
/// about verified purchases.
@dynamicMemberLookup
struct OrderTestStack: Sendable {
    let peers: OrderPeers
    let orders: any TestClientProtocol
    let orderDatabase: PostgresConfiguration
    let productDatabase: PostgresConfiguration

    subscript<Value>(dynamicMember path: KeyPath<OrderPeers, Value>) -> Value { peers[keyPath: path] }
    func product(_ name: String, price: String = "10.00", stock: Int = 10) async throws -> ProductResponse {
        try await peers.product(name, price: price, stock: stock)
    }
    func stock(_ product: Int) async throws -> Int { try await peers.stock(product) }
    func reserved(_ product: Int) async throws -> Int { try await peers.reserved(product) }
    func review(_ product: Int, as token: String) async throws -> ReviewResponse { try await peers.review(product, as: token) }

    /// `POST /api/v1/orders` as the customer, for ``sendConcurrently(_:_:)`` (a connection of its own).
    func orderRequest(_ items: [(product: Int, quantity: Int)], key: String? = nil) -> HTTPClientRequest {
        var headers: [(name: String, value: String)] = [
            ("Authorization", "Bearer \(peers.tokens.customer)"), ("Content-Type", "application/json"),
        ]
        if let key { headers.append(("Idempotency-Key", key)) }
        return HTTPClientRequest(
            method: "POST", url: "http://127.0.0.1:\(orders.port!)/api/v1/orders", headers: headers,
            body: Array(orderBody(items).readableBytesView))
    }
}

/// The services an Order service calls, with tokens; catalog set-up goes to the Product service over libcurl.
struct OrderPeers: Sendable {
    let userURL: String
    let productURL: String
    let tokens: TestTokens
    let http = CurlHTTPClient()

    private var admin: [(name: String, value: String)] { [("Authorization", "Bearer \(tokens.admin)")] }
    private var internalToken: [(name: String, value: String)] { [("X-Internal-Token", TestCredentials.internalToken)] }

    /// A product with `stock` units at `price`, in a new category.
    func product(_ name: String, price: String = "10.00", stock: Int = 10) async throws -> ProductResponse {
        let category = try await http.decoding(
            CategoryResponse.self, from: try .json(method: "POST", url: "\(productURL)/api/v1/categories",
                                                   body: ["name": "C \(UUID().uuidString.prefix(8))"], headers: admin),
            decoder: contractDecoder)
        let body = ProductFields(name: name, price: price, stock: stock, categoryID: category.id, sku: "SKU-\(UUID().uuidString.prefix(8))")
        return try await http.decoding(
            ProductResponse.self, from: try .json(method: "POST", url: "\(productURL)/api/v1/products", body: body, headers: admin),
            decoder: contractDecoder)
    }

    func stock(_ product: Int) async throws -> Int {
        try await http.decoding(
            ProductResponse.self, from: HTTPClientRequest(url: "\(productURL)/api/v1/products/\(product)", headers: admin),
            decoder: contractDecoder
        ).stock
    }

    /// Units of the product held by reservations never released, per the Product service's ledger.
    func reserved(_ product: Int) async throws -> Int {
        struct Ledger: Decodable { var reserved: Int }
        return try await http.decoding(
            Ledger.self, from: HTTPClientRequest(url: "\(productURL)/internal/stock/products/\(product)/ledger", headers: internalToken)
        ).reserved
    }

    /// Posts a review as the user behind `token`.
    func review(_ product: Int, as token: String) async throws -> ReviewResponse {
        try await http.decoding(
            ReviewResponse.self,
            from: try .json(method: "POST", url: "\(productURL)/api/v1/products/\(product)/reviews", body: ["rating": 4],
                            headers: [("Authorization", "Bearer \(token)")]),
            decoder: contractDecoder)
    }

    private struct ProductFields: Encodable {
        var name: String
        var price: String
        var stock: Int
        var categoryID: Int
        var sku: String
        enum CodingKeys: String, CodingKey {
            case name, price, stock, sku
            case categoryID = "category_id"
        }
    }
}

/// Runs the stack for `body`; `orderEnvironment` adds to or overrides the Order service's
/// settings, `everyService` every service's.
func withOrderStack(
    _ orderEnvironment: [String: String] = [:], everyService: [String: String] = [:],
    _ body: @escaping @Sendable (OrderTestStack) async throws -> Void
) async throws {
    let users = try await UserServiceApp.buildApplication(
        configuration: try await serviceTestConfiguration(UserServiceApp.defaults, environment: everyService))
    try await users.test(.live) { userClient in
        let userURL = "http://127.0.0.1:\(userClient.port!)"
        let tokens = try await TestTokens.issue(userClient)
        let productPort = try await ShellCommand.freePort()
        let productURL = "http://127.0.0.1:\(productPort)"
        let orderConfiguration = try await serviceTestConfiguration(
            OrderServiceApp.defaults,
            environment: orderTestEnvironment(userURL: userURL, productURL: productURL).merging(everyService) { $1 }
                .merging(orderEnvironment) { $1 })
        try await OrderServiceApp.buildApplication(configuration: orderConfiguration).test(.live) { orders in
            let productConfiguration = try await serviceTestConfiguration(
                ProductServiceApp.defaults,
                environment: everyService.merging(
                    ["USER_SERVICE_URL": userURL, "ORDER_SERVICE_URL": "http://127.0.0.1:\(orders.port!)", "PORT": "\(productPort)"]) { $1 })
            let products = try ProductServiceApp.buildApplication(configuration: productConfiguration)
            try await products.withServer(onPort: productPort) {
                try await body(
                    OrderTestStack(
                        peers: OrderPeers(userURL: userURL, productURL: productURL, tokens: tokens), orders: orders,
                        orderDatabase: orderConfiguration.database, productDatabase: productConfiguration.database))
            }
        }
    }
}

/// What an Order service needs to reach the others in tests. The limits are generous so a
/// machine busy with the other suites does not fail a call or lapse a lease; tests of
/// timeouts and recovery set short ones themselves.
func orderTestEnvironment(userURL: String, productURL: String) -> [String: String] {
    ["USER_SERVICE_URL": userURL, "PRODUCT_SERVICE_URL": productURL, "JWKS_URL": "\(userURL)/.well-known/jwks.json",
     "ORDER_SAGA_TIMEOUT_MS": "30000", "UPSTREAM_TIMEOUT_MS": "4000"]
}

/// A `POST /api/v1/orders` body.
func orderBody(_ items: [(product: Int, quantity: Int)], token: String = "tok_visa", shipping: String = "standard") -> ByteBuffer {
    json([
        "items": items.map { ["product_id": $0.product, "quantity": $0.quantity] }, "payment_method": "card",
        "payment_token": token, "shipping_method": shipping,
    ])
}

extension TestClientProtocol {
    func placeOrder(
        _ items: [(product: Int, quantity: Int)], as token: String, paymentToken: String = "tok_visa",
        shipping: String = "standard", key: String? = nil
    ) async throws -> TestResponse {
        var headers = bearer(token)
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await send("/api/v1/orders", .post, headers: headers, body: orderBody(items, token: paymentToken, shipping: shipping))
    }
}

extension HTTPField.Name {
    static let replayed = HTTPField.Name("Idempotent-Replayed")!
}
