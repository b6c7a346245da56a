import Contracts
import Foundation
import HTTPClient
import HummingbirdTesting
import OrderService
import Postgres
import ProductService
import ServiceKit
import TestSupport
import Synchronization
import Testing
import UserService

/// The process of a service a test restarts.
private final class RunningProcess: Sendable {
    private let process: Mutex<ChildProcess>
    init(_ process: ChildProcess) { self.process = Mutex(process) }
    var current: ChildProcess { process.withLock { $0 } }
    func replace(with process: ChildProcess) { self.process.withLock { $0 = process } }
}

/// The Product service as a real process, killed with SIGKILL while a reservation is in
/// flight on a kept-alive connection from the Order service. libcurl then re-sent the
/// reservation on a fresh connection, was refused, and the saga took that refusal for
/// "never sent": a reservation the dead process had committed was never released.
@Suite("Order service: the Product service dies mid-reservation")
struct ProductServiceCrashTests {
    @Test func aReservationInFlightWhenTheProductServiceDiesIsReleased() async throws {
        let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        try await users.test(.live) { userClient in
            let userURL = "http://127.0.0.1:\(userClient.port!)"
            let tokens = try await TestTokens.issue(userClient)
            let productPort = try await ShellCommand.freePort()
            var productConfiguration = try await serviceTestConfiguration(
                ProductServiceApp.defaults,
                environment: ["USER_SERVICE_URL": userURL, "ORDER_SERVICE_URL": "http://127.0.0.1:9", "PORT": "\(productPort)", "LOG_LEVEL": "info"])
            productConfiguration.environment["DATABASE_URL"] = productConfiguration.database.url
            let environment = productConfiguration.environment
            let productDatabaseConfiguration = productConfiguration.database
            let product = RunningProcess(try ChildProcess(executable: "product-service", environment: environment))
            defer { product.current.send(SIGKILL) }
            try await waitForPort(productPort)
            let peers = OrderPeers(userURL: userURL, productURL: "http://127.0.0.1:\(productPort)", tokens: tokens)
            let lamp = try await peers.product("Lamp", price: "12.00", stock: 10)

            let orderConfiguration = try await serviceTestConfiguration(
                OrderServiceApp.defaults,
                environment: orderTestEnvironment(userURL: userURL, productURL: peers.productURL).merging(["ORDER_SAGA_TIMEOUT_MS": "1000"]) { $1 })
            try await OrderServiceApp.buildApplication(configuration: orderConfiguration).test(.live) { orders in
                // The first order leaves a kept-alive connection to the Product service behind.
                #expect(try await orders.placeOrder([(lamp.id, 1)], as: tokens.customer).status == .created)

                let productDatabase = PostgresPool(configuration: productDatabaseConfiguration, logger: TestEnvironment.logger("crash-product"))
                defer { Task { await productDatabase.close() } }
                // The second order's reservation waits on a row lock inside the Product service (its
                // request written and read). The process is told to stop (SIGTERM: it closes its
                // listening socket and waits for the request under way), then killed before it answers,
                // as a pod is when its grace period runs out: libcurl's re-send finds nobody listening.
                let second = try await productDatabase.withConnection { lock -> TestResponse in
                    try await lock.query("BEGIN")
                    try await lock.query("SELECT id FROM products WHERE id = \(lamp.id) FOR UPDATE")
                    let placing = Task { try await orders.placeOrder([(lamp.id, 2)], as: tokens.customer) }
                    let deadline = SuspendingClock.now + .seconds(20)
                    while try await productDatabase.query(
                        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    ).first!.decode("n", as: Int.self) == 0 {
                        guard SuspendingClock.now < deadline else { throw TestSetupError("the reservation never reached the row lock") }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    product.current.send(SIGTERM)
                    while (try? await RawConnection.open(port: productPort)) != nil {
                        guard SuspendingClock.now < deadline else { throw TestSetupError("the Product service kept listening") }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    product.current.send(SIGKILL)
                    try await lock.query("ROLLBACK")
                    return try await placing.value
                }
                #expect(await product.current.waitForExit() == SIGKILL)
                // Unknown outcome: the client hears the Product service is unavailable.
                #expect(second.status == .serviceUnavailable)
                guard case .number(let orderID)? = try decode(ErrorEnvelope.self, second).error.details?["order_id"] else {
                    throw TestSetupError("no order_id in \(String(buffer: second.body))")
                }

                product.replace(with: try ChildProcess(executable: "product-service", environment: environment))
                try await waitForPort(productPort)
                let orderDatabase = PostgresPool(configuration: orderConfiguration.database, logger: TestEnvironment.logger("crash-order"))
                defer { Task { await orderDatabase.close() } }
                let deadline = SuspendingClock.now + .seconds(30)
                while try await orderDatabase.query(
                    "SELECT ended_at IS NULL AS open FROM order_sagas WHERE order_id = \(Int(orderID))"
                ).first!.decode("open", as: Bool.self) {
                    guard SuspendingClock.now < deadline else { throw TestSetupError("the saga never ended:\n\(product.current.log)") }
                    try await Task.sleep(for: .milliseconds(100))
                }
                // The saga released the reservation it could not be sure of (recorded as released, so a
                // late copy of the request reserves nothing), and nothing is held for the failed order.
                let order = try decode(OrderResponse.self, try await orders.send("/api/v1/orders/\(Int(orderID))", headers: bearer(tokens.customer)))
                #expect(order.status == "failed")
                #expect(try await peers.stock(lamp.id) == 9)
                #expect(try await peers.reserved(lamp.id) == 1)
                let released: Int = try await productDatabase.query(
                    "SELECT count(*) AS n FROM stock_reservations WHERE status = 'released'").first!.decode("n")
                #expect(released == 1, "the second order's reservation was never released")
                product.current.send(SIGTERM)
                await product.current.waitForExit()
            }
        }
    }
}
