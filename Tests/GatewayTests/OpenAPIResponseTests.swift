import Contracts
import Foundation
import Gateway
import HTTPClient
import OrderService
import ProductService
import ServiceKit
import Synchronization
import TestSupport
import Testing
import UserService

/// What the services really answer matches their OpenAPI documents: a walk through every
/// service's operations (successes and the usual errors) is recorded and each response's
/// status and body are checked against the documented ones (`scripts/check-openapi.sh`).
@Suite("OpenAPI documents match the responses")
struct OpenAPIResponseTests {
    @Test func recordedResponsesMatchTheDocumentedSchemas() async throws {
        let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        try await users.withLiveServer { userURL in
            let products = try ProductServiceApp.buildApplication(
                configuration: try await serviceTestConfiguration(ProductServiceApp.defaults, environment: ["USER_SERVICE_URL": userURL]))
            try await products.withLiveServer { productURL in
                let orders = try OrderServiceApp.buildApplication(
                    configuration: try await serviceTestConfiguration(
                        OrderServiceApp.defaults, environment: ["USER_SERVICE_URL": userURL, "PRODUCT_SERVICE_URL": productURL]))
                try await orders.withLiveServer { orderURL in
                    let gateway = try GatewayApp.buildApplication(
                        configuration: try await gatewayConfiguration(
                            upstream: userURL, environment: ["PRODUCT_SERVICE_URL": productURL, "ORDER_SERVICE_URL": orderURL]))
                    try await gateway.withLiveServer { gatewayURL in
                        let walk = Walk(urls: ["user-service": userURL, "product-service": productURL, "order-service": orderURL, "gateway": gatewayURL])
                        try await walk.run()
                        try await walk.check()
                    }
                }
            }
        }
    }
}

extension OpenAPIResponseTests {
    /// The check can fail: a body of the wrong shape and an undocumented status are refused.
    @Test(arguments: [
        #"{"service":"order-service","method":"GET","path":"/api/v1/orders/{id}","status":200,"body":{"id":"one"}}"#,
        #"{"service":"user-service","method":"POST","path":"/api/v1/auth/login","status":418,"body":null}"#,
        #"{"service":"gateway","method":"GET","path":"/api/v1/nowhere","status":200,"body":null}"#,
    ])
    func aMismatchIsReported(sample: String) async throws {
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let file = "\(base)/openapi-bad-\(UUID().uuidString.prefix(8)).json"
        try "[\(sample)]".write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: TestSetupError.self) { try await ShellCommand.bash("bash scripts/check-openapi.sh '\(file)'") }
    }
}

/// Calls the services and records `{service, method, path template, status, body}`.
private final class Walk: Sendable {
    let urls: [String: String]
    let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30), retry: .never), logger: TestEnvironment.logger("openapi-walk"))
    private let samples = Mutex<[JSONValue]>([])

    init(urls: [String: String]) { self.urls = urls }

    @discardableResult
    func call(
        _ service: String, _ method: String, _ template: String, _ path: String? = nil, token: String? = nil, asService: Bool = false,
        body: JSONValue? = nil
    ) async throws -> JSONValue? {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if asService { headers.append(("X-Internal-Token", TestCredentials.internalToken)) }
        let response = try await client.execute(HTTPClientRequest(
            method: method, url: urls[service]! + (path ?? template), headers: headers,
            body: try body.map { Array(try JSONEncoder().encode($0)) }))
        let json = response.header("Content-Type")?.hasPrefix("application/json") == true ? try? response.decode(JSONValue.self) : nil
        samples.withLock {
            $0.append(.object([
                "service": .string(service), "method": .string(method), "path": .string(template),
                "status": .number(Double(response.status)), "body": json ?? .null,
            ]))
        }
        return json
    }

    func run() async throws {
        // User service
        let email = JSONValue.string("walker@example.com")
        let registration: JSONValue = .object(["email": email, "password": .string("walk-password-1"), "first_name": .string("W"), "last_name": .string("K")])
        let customer = try await call("user-service", "POST", "/api/v1/auth/register", body: registration)
        try await call("user-service", "POST", "/api/v1/auth/register", body: registration)
        try await call("user-service", "POST", "/api/v1/auth/register", body: .object([:]))
        let admin = try await call("user-service", "POST", "/api/v1/auth/login", body: .object([
            "email": .string(TestCredentials.adminEmail), "password": .string(TestCredentials.adminPassword)]))
        try await call("user-service", "POST", "/api/v1/auth/login", body: .object(["email": email, "password": .string("wrong-password")]))
        let token = customer?["token"]?["id_token"]?.stringValue ?? ""
        let adminToken = admin?["token"]?["id_token"]?.stringValue ?? ""
        let uid = customer?["user"]?["uid"]?.stringValue ?? ""
        try await call("user-service", "POST", "/api/v1/auth/refresh", body: .object(["refresh_token": customer?["token"]?["refresh_token"] ?? .null]))
        try await call("user-service", "GET", "/api/v1/auth/sessions", token: token)
        try await call("user-service", "GET", "/api/v1/users/me", token: token)
        try await call("user-service", "GET", "/api/v1/users/me")
        try await call("user-service", "PATCH", "/api/v1/users/me", token: token, body: .object(["first_name": .string("Walt")]))
        let key = try await call("user-service", "POST", "/api/v1/api-keys", token: adminToken, body: .object([
            "name": .string("walk"), "permissions": .array([.string("products:read")]), "rate_limit": .number(100)]))
        try await call("user-service", "POST", "/api/v1/api-keys", token: token, body: .object(["name": .string("x")]))
        try await call("user-service", "GET", "/api/v1/api-keys", token: adminToken)
        try await call("user-service", "DELETE", "/api/v1/api-keys/{id}", "/api/v1/api-keys/\(key?["id"]?.stringValue ?? "x")", token: adminToken)
        try await call("user-service", "GET", "/.well-known/jwks.json")
        try await call("user-service", "GET", "/internal/users/{uid}", "/internal/users/\(uid)", asService: true)
        try await call("user-service", "GET", "/internal/users/{uid}", "/internal/users/\(uid)")
        try await call("user-service", "POST", "/internal/api-keys/resolve", asService: true, body: .object(["key": .string("ek_nope")]))
        for service in ["user-service", "product-service", "order-service", "gateway"] {
            try await call(service, "GET", "/health/live")
            try await call(service, "GET", "/health/ready")
        }

        // Product service
        let category = try await call("product-service", "POST", "/api/v1/categories", token: adminToken, body: .object(["name": .string("Walk")]))
        try await call("product-service", "POST", "/api/v1/categories", token: token, body: .object(["name": .string("Nope")]))
        let categoryID = category?["id"]?.intValue ?? 0
        try await call("product-service", "GET", "/api/v1/categories")
        try await call("product-service", "GET", "/api/v1/categories/{id}", "/api/v1/categories/\(categoryID)")
        try await call("product-service", "GET", "/api/v1/categories/{id}", "/api/v1/categories/99999")
        try await call("product-service", "PATCH", "/api/v1/categories/{id}", "/api/v1/categories/\(categoryID)", token: adminToken,
                       body: .object(["sort_order": .number(2)]))
        let product = try await call("product-service", "POST", "/api/v1/products", token: adminToken, body: .object([
            "name": .string("Walking stick"), "price": .string("12.50"), "stock": .number(5), "category_id": .number(Double(categoryID)),
            "sku": .string("WALK-1"), "cost_price": .string("4.00"), "tags": .array([.string("outdoor")])]))
        try await call("product-service", "POST", "/api/v1/products", token: adminToken, body: .object(["name": .string("")]))
        let productID = product?["id"]?.intValue ?? 0
        try await call("product-service", "GET", "/api/v1/products", "/api/v1/products?q=walking&sort=-price")
        try await call("product-service", "GET", "/api/v1/products", "/api/v1/products?sort=sideways")
        try await call("product-service", "GET", "/api/v1/products/{id}", "/api/v1/products/\(productID)", token: adminToken)
        try await call("product-service", "GET", "/api/v1/products/{id}", "/api/v1/products/\(productID)")
        try await call("product-service", "PATCH", "/api/v1/products/{id}", "/api/v1/products/\(productID)", token: adminToken,
                       body: .object(["is_featured": .bool(true)]))
        let review = try await call("product-service", "POST", "/api/v1/products/{id}/reviews", "/api/v1/products/\(productID)/reviews",
                                    token: token, body: .object(["rating": .number(5), "title": .string("Sturdy")]))
        try await call("product-service", "GET", "/api/v1/products/{id}/reviews", "/api/v1/products/\(productID)/reviews", token: token)
        let reviewID = review?["id"]?.intValue ?? 0
        try await call("product-service", "PATCH", "/api/v1/reviews/{id}", "/api/v1/reviews/\(reviewID)", token: adminToken,
                       body: .object(["is_approved": .bool(true)]))
        let reservation: JSONValue = .object(["reservation_id": .string("walk-1"),
                                              "items": .array([.object(["product_id": .number(Double(productID)), "quantity": .number(1)])])])
        try await call("product-service", "POST", "/internal/stock/reservations", asService: true, body: reservation)
        try await call("product-service", "POST", "/internal/stock/reservations", asService: true, body: reservation)
        try await call("product-service", "POST", "/internal/stock/reservations/{reservation}/release",
                       "/internal/stock/reservations/walk-1/release", asService: true)
        try await call("product-service", "GET", "/internal/stock/products/{id}/ledger", "/internal/stock/products/\(productID)/ledger", asService: true)

        // Order service
        @discardableResult
        func order(_ token: String, quantity: Int = 1, product: Int = productID, payment: String = "tok_visa") async throws -> JSONValue? {
            try await call("order-service", "POST", "/api/v1/orders", token: token, body: .object([
                "items": .array([.object(["product_id": .number(Double(product)), "quantity": .number(Double(quantity))])]),
                "payment_method": .string("card"), "payment_token": .string(payment), "shipping_method": .string("express")]))
        }
        let placed = try await order(token)
        try await order(token, payment: "tok_chargeDeclined")
        try await order(token, quantity: 50)
        try await order(token, product: 999_999)
        try await call("order-service", "POST", "/api/v1/orders", token: token, body: .object(["items": .array([])]))
        let orderID = placed?["id"]?.intValue ?? 0
        try await call("order-service", "GET", "/api/v1/orders", token: token)
        try await call("order-service", "GET", "/api/v1/orders/{id}", "/api/v1/orders/\(orderID)", token: token)
        try await call("order-service", "GET", "/api/v1/orders/{id}", "/api/v1/orders/999999", token: token)
        try await call("order-service", "GET", "/api/v1/orders/{id}/payments", "/api/v1/orders/\(orderID)/payments", token: token)
        try await call("order-service", "PATCH", "/api/v1/orders/{id}", "/api/v1/orders/\(orderID)", token: adminToken,
                       body: .object(["status": .string("delivered")]))
        try await call("order-service", "GET", "/internal/purchases/verify", "/internal/purchases/verify?user_uid=\(uid)&product_id=\(productID)",
                       asService: true)
        try await call("order-service", "POST", "/api/v1/orders/{id}/cancel", "/api/v1/orders/\(orderID)/cancel", token: token)
        try await call("order-service", "POST", "/api/v1/orders/{id}/cancel", "/api/v1/orders/\(orderID)/cancel", token: token)
        try await call("product-service", "DELETE", "/api/v1/reviews/{id}", "/api/v1/reviews/\(reviewID)", token: token)
        try await call("product-service", "DELETE", "/api/v1/products/{id}", "/api/v1/products/\(productID)", token: adminToken)

        // Gateway
        try await call("gateway", "GET", "/health")
        try await call("gateway", "POST", "/api/v1/analytics/events", body: .object(["events": .array([.object(["event_name": .string("walk")])])]))
        try await call("gateway", "POST", "/api/v1/analytics/events", body: .object(["events": .array([])]))
        try await call("gateway", "GET", "/api/v1/admin/api-logs", token: adminToken)
        try await call("gateway", "GET", "/api/v1/admin/api-logs", token: token)
        try await call("gateway", "GET", "/api/v1/admin/analytics/summary", token: adminToken)
        let merged = try await call("gateway", "GET", "/openapi.json")
        #expect(merged?["paths"]?["/api/v1/orders"] != nil)
        #expect(merged?["paths"]?["/api/v1/products/{id}"] != nil)
        #expect(merged?["paths"]?["/internal/purchases/verify"] == nil)
        try await call("user-service", "POST", "/api/v1/auth/logout", token: token)
        try await call("user-service", "DELETE", "/api/v1/users/me", token: adminToken)
    }

    func check() async throws {
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let file = "\(base)/openapi-samples-\(UUID().uuidString.prefix(8)).json"
        let recorded = samples.withLock { $0 }
        try JSONEncoder().encode(recorded).write(to: URL(fileURLWithPath: file))
        let output = try await ShellCommand.bash("bash scripts/check-openapi.sh '\(file)'")
        #expect(output.contains("\(recorded.count) responses checked, 0 problems"), "\(output)")
    }
}
