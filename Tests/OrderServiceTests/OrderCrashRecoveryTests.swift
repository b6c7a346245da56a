import Contracts
import Foundation
import HTTPClient
import HummingbirdTesting
import OrderService
import Postgres
import ProductService
import ServiceKit
import TestSupport
import Testing
import UserService

/// The Order service as a real process, killed with SIGKILL at a saga step while orders are
/// in flight, then restarted: its recovery worker must finish or compensate every saga.
@Suite("Order service: crash recovery")
struct OrderCrashRecoveryTests {
    @Test(arguments: [
        "validate_user:after", "reserve_stock:after", "charge_payment:after", "confirm_order:before", "release_stock:after",
    ])
    func everyOrderEndsAfterAKillAndNothingIsLeftHeldOrChargedTwice(faultPoint: String) async throws {
        let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        try await users.test(.live) { userClient in
            let userURL = "http://127.0.0.1:\(userClient.port!)"
            let tokens = try await TestTokens.issue(userClient)
            let orderPort = try await ShellCommand.freePort()
            let productPort = try await ShellCommand.freePort()
            let products = try ProductServiceApp.buildApplication(
                configuration: try await serviceTestConfiguration(
                    ProductServiceApp.defaults,
                    environment: ["USER_SERVICE_URL": userURL, "ORDER_SERVICE_URL": "http://127.0.0.1:\(orderPort)", "PORT": "\(productPort)"]))
            try await products.withServer(onPort: productPort) {
                let stack = OrderPeers(userURL: userURL, productURL: "http://127.0.0.1:\(productPort)", tokens: tokens)
                try await crashAndRecover(stack: stack, orderPort: orderPort, faultPoint: faultPoint)
            }
        }
    }

    private func crashAndRecover(stack: OrderPeers, orderPort: Int, faultPoint: String) async throws {
        let product = try await stack.product("Widget", price: "7.25", stock: 100)
        var configuration = try await serviceTestConfiguration(
            OrderServiceApp.defaults,
            environment: orderTestEnvironment(userURL: stack.userURL, productURL: stack.productURL)
                .merging(["PORT": "\(orderPort)", "ORDER_SAGA_TIMEOUT_MS": "500", "LOG_LEVEL": "info"]) { $1 })
        let database = configuration.database
        configuration.environment["DATABASE_URL"] = database.url
        let orderURL = "http://127.0.0.1:\(orderPort)"

        // Orders in flight when the process dies: some pay, some are declined (so stock is released).
        let doomed = try ChildProcess(
            executable: "order-service", environment: configuration.environment.merging(["ORDER_SAGA_FAULT_POINT": faultPoint]) { $1 })
        try await waitForPort(orderPort)
        let client = CurlHTTPClient(configuration: .init(timeout: .seconds(10), retry: .never, circuitBreaker: .init(failureThreshold: 1_000)), logger: TestEnvironment.logger("crash-test-client"))
        let keys = (0..<12).map { "crash-\($0)" }
        func place(_ key: String) async -> HTTPClientResponse? {
            let token = key.hasSuffix("3") || key.hasSuffix("7") ? "tok_chargeDeclined" : "tok_visa"
            let body = #"{"items":[{"product_id":\#(product.id),"quantity":2}],"payment_method":"card","payment_token":"\#(token)","shipping_method":"standard"}"#
            return try? await client.execute(HTTPClientRequest(
                method: "POST", url: "\(orderURL)/api/v1/orders",
                headers: [("Authorization", "Bearer \(stack.tokens.customer)"), ("Idempotency-Key", key), ("Content-Type", "application/json")],
                body: Array(body.utf8)))
        }
        await withTaskGroup(of: Void.self) { group in
            for key in keys { group.addTask { _ = await place(key) } }
        }
        #expect(await doomed.waitForExit() == SIGKILL, "the fault point \(faultPoint) was never reached:\n\(doomed.log)")

        // Restarted without the fault point: recovery takes over the sagas whose lease ran out.
        let restarted = try ChildProcess(executable: "order-service", environment: configuration.environment)
        defer { restarted.send(SIGKILL) }
        try await waitForPort(orderPort)
        let pool = PostgresPool(configuration: database, logger: TestEnvironment.logger("crash-test"))
        defer { Task { await pool.close() } }
        let deadline = SuspendingClock.now + .seconds(30)
        while try await pool.query("SELECT count(*) AS open FROM order_sagas WHERE ended_at IS NULL").first!.decode("open", as: Int.self) > 0 {
            guard SuspendingClock.now < deadline else { throw TestSetupError("sagas still open after 30 s:\n\(restarted.log)") }
            try await Task.sleep(for: .milliseconds(100))
        }

        let orders = try await pool.query(
            "SELECT o.id, o.status, s.idempotency_key FROM orders o JOIN order_sagas s ON s.order_id = o.id ORDER BY o.id")
        #expect(!orders.isEmpty)
        let recovered: Int = try await pool.query("SELECT count(*) AS n FROM order_sagas WHERE attempts > 0").first!.decode("n")
        #expect(recovered > 0, "no saga was left for the recovery worker")
        var confirmed = 0
        for row in orders {
            let status: String = try row.decode("status")
            let id: Int = try row.decode("id")
            #expect(status == "confirmed" || status == "failed", "order \(id) is \(status)")
            if status == "confirmed" { confirmed += 1 }
        }
        // Stock is given back for every failed order: what is gone is exactly what confirmed orders hold.
        #expect(try await stack.stock(product.id) == 100 - 2 * confirmed)
        #expect(try await stack.reserved(product.id) == 2 * confirmed)
        // Never charged twice; every charge of a failed order refunded.
        let doubles = try await pool.query(
            "SELECT order_id FROM payments WHERE status = 'succeeded' GROUP BY order_id HAVING count(*) > 1")
        #expect(doubles.isEmpty)
        let unrefunded = try await pool.query(
            """
            SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id AND p.status = 'succeeded'
            WHERE o.status = 'failed' AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.order_id = o.id AND r.status = 'refunded')
            """)
        #expect(unrefunded.isEmpty)
        let charges: Int = try await pool.query("SELECT count(*) AS n FROM payments WHERE status = 'succeeded'").first!.decode("n")
        #expect(charges >= confirmed)

        // A replay of each key returns the final result.
        for row in orders {
            guard let key = try row.decode("idempotency_key", as: String?.self) else { continue }
            let status: String = try row.decode("status")
            guard let replay = await place(key) else { Issue.record("no answer replaying \(key)"); continue }
            #expect(replay.header("Idempotent-Replayed") == "true")
            if status == "confirmed" {
                #expect(replay.status == 201)
                #expect(try replay.decode(OrderResponse.self, decoder: contractDecoder).status == "confirmed")
            } else {
                #expect(replay.status >= 400)
            }
        }
        restarted.send(SIGTERM)
        await restarted.waitForExit()
    }
}
