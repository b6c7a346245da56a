import Contracts
import Foundation
import HTTPClient
import TestSupport
import Testing

/// A `make up` stack of a test's own: free ports, its own `STACK_DIR` under the run's work
/// folder (so `make test`'s clean-up stops it if the test cannot), the binaries `make test`
/// built, and a bootstrap admin.
struct StackUnderTest {
    static let services = ["user-service", "product-service", "order-service", "gateway"]
    static let admin = (email: "e2e-admin@example.com", password: "e2e-admin-password")

    let directory: String
    var environment: [String: String]
    var gateway: String { "http://127.0.0.1:\(environment["GATEWAY_PORT"]!)" }
    let client = CurlHTTPClient()

    init(extra: [String: String] = [:]) async throws {
        for binary in Self.services {
            let path = TestEnvironment.binDirectory.appending(path: binary).path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestSetupError("\(path) is not built: run `make test`, which builds it first")
            }
        }
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        directory = "\(base)/stack-\(UInt32.random(in: 0...UInt32.max))"
        environment = [
            "STACK_DIR": directory, "SKIP_BUILD": "1", "BIN_DIR": TestEnvironment.binDirectory.path,
            "BOOTSTRAP_ADMIN_EMAIL": Self.admin.email, "BOOTSTRAP_ADMIN_PASSWORD": Self.admin.password,
        ].merging(extra) { $1 }
        for name in ["GATEWAY_PORT", "USER_SERVICE_PORT", "PRODUCT_SERVICE_PORT", "ORDER_SERVICE_PORT",
                     "USER_DB_PORT", "PRODUCT_DB_PORT", "ORDER_DB_PORT", "GATEWAY_DB_PORT", "REDIS_PORT"] {
            environment[name] = String(try await ShellCommand.freePort())
        }
    }

    /// `make TARGET` in the repository with the stack's environment; its output.
    @discardableResult
    func make(_ target: String) async throws -> String {
        try await ShellCommand.bash("make \(target)", environment: environment)
    }

    /// Runs `body` on the started stack (`make up`), and `make down` afterwards whatever happens.
    func withRunning(_ body: () async throws -> Void) async throws {
        do {
            #expect(try await make("up").contains(gateway))
            try await body()
        } catch {
            _ = try? await make("down")
            throw error
        }
        try await make("down")
    }

    /// A call through the gateway that must succeed, decoded as `T`, with the response.
    @discardableResult
    func call<T: Decodable>(
        _ method: String, _ path: String, _ body: [String: Any]? = nil, token: String? = nil, headers: [(String, String)] = [],
        as type: T.Type
    ) async throws -> (T, HTTPClientResponse) {
        let response = try await send(method, path, body, token: token, headers: headers)
        guard response.isSuccess else { throw TestSetupError("\(method) \(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
        return (try response.decode(T.self, decoder: contractDecoder), response)
    }

    /// A call through the gateway, whatever it answers.
    func send(
        _ method: String, _ path: String, _ body: [String: Any]? = nil, token: String? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPClientResponse {
        var all = headers.map { (name: $0.0, value: $0.1) } + [("Content-Type", "application/json")]
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        return try await client.execute(HTTPClientRequest(
            method: method, url: gateway + path, headers: all,
            body: try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) }))
    }

    /// The bootstrap admin's token, a new customer's token, and a product of `stock` units in a new category.
    func customerAndProduct(_ email: String, stock: Int = 50) async throws -> (admin: String, customer: String, product: ProductResponse) {
        let admin = try await call("POST", "/api/v1/auth/login", ["email": Self.admin.email, "password": Self.admin.password], as: AuthResponse.self).0
        let customer = try await call(
            "POST", "/api/v1/auth/register", ["email": email, "password": "password-e2e", "first_name": "E", "last_name": "E"],
            as: AuthResponse.self).0
        let category = try await call("POST", "/api/v1/categories", ["name": "E2E"], token: admin.token.idToken, as: CategoryResponse.self).0
        let product = try await call(
            "POST", "/api/v1/products", ["name": "Kettle", "price": "24.00", "stock": stock, "category_id": category.id, "sku": "E2E-1"],
            token: admin.token.idToken, as: ProductResponse.self).0
        return (admin.token.idToken, customer.token.idToken, product)
    }

    /// The body of an order for `quantity` of one product, paid by card.
    static func order(_ product: Int, quantity: Int = 1) -> [String: Any] {
        ["items": [["product_id": product, "quantity": quantity]], "payment_method": "card", "payment_token": "tok_visa",
         "shipping_method": "standard"]
    }
}
