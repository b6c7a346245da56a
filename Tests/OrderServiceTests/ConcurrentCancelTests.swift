import Contracts
import Foundation
import HTTPClient
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

/// Twenty cancels of one order at once. Cancelling locked the order's row then its saga's;
/// the compensation's writes take them the other way round, so concurrent cancels
/// deadlocked (46 deadlocks, retried, for 20 cancels). One lock order everywhere now.
@Suite("Order service: concurrent cancels")
struct ConcurrentCancelTests {
    /// The order database's `pg_stat_database.deadlocks`, once every other session has ended
    /// (a backend reports its counts when it exits; the service's pool opens new ones).
    private func deadlocks(_ pool: PostgresPool) async throws -> Int {
        try await pool.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        for _ in 0..<100 {
            let others: Int = try await pool.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).first!.decode("n")
            if others == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await pool.query("SELECT pg_stat_clear_snapshot()")
        return try await pool.query("SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()")
            .first!.decode("n")
    }

    @Test func twentyConcurrentCancelsOfAnOrderNeverDeadlock() async throws {
        try await withOrderStack { stack in
            let lamp = try await stack.product("Lamp", price: "30.00", stock: 50)
            var configuration = stack.orderDatabase
            configuration.maxConnections = 1
            let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger("deadlocks"))
            defer { Task { await pool.close() } }
            let before = try await deadlocks(pool)
            // Several rounds: one round's timing may miss the window in which the locks cross
            // (with the old order, six rounds here gave a dozen or more deadlocks).
            for _ in 0..<6 {
                let order = try decode(OrderResponse.self, try await stack.orders.placeOrder([(lamp.id, 2)], as: stack.tokens.customer))
                let url = "http://127.0.0.1:\(stack.orders.port!)/api/v1/orders/\(order.id)/cancel"
                let responses = try await sendConcurrently(20) { _ in
                    HTTPClientRequest(method: "POST", url: url, headers: [("Authorization", "Bearer \(stack.tokens.customer)")])
                }
                // One cancels it; the others wait for it or find it cancelled already.
                #expect(responses.allSatisfy { $0.status == 200 || $0.status == 409 }, "\(responses.map(\.status))")
                #expect(responses.contains { $0.status == 200 })
                let cancelled = try decode(
                    OrderResponse.self, try await stack.orders.send("/api/v1/orders/\(order.id)", headers: bearer(stack.tokens.customer)))
                #expect(cancelled.status == "cancelled")
                #expect(cancelled.paymentStatus == "refunded")
                let payments = try decode(
                    Page<PaymentResponse>.self,
                    try await stack.orders.send("/api/v1/orders/\(order.id)/payments", headers: bearer(stack.tokens.customer)))
                #expect(payments.data.map(\.status) == ["succeeded", "refunded"])
            }
            #expect(try await stack.stock(lamp.id) == 50)
            #expect(try await deadlocks(pool) == before, "concurrent cancels deadlocked")
        }
    }
}
