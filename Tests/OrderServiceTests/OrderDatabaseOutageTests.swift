import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

/// The order database stops while an order it has already recorded is being placed. The
/// client used to hear 503, and then the recovery worker charged and confirmed the order: a
/// client told "unavailable" orders again and pays twice.
@Suite("Order service: its database stops mid-order")
struct OrderDatabaseOutageTests {
    @Test func aRecordedOrderIsNever503AndTheAnswerMatchesWhatFinallyHappens() async throws {
        let server = try await TestPostgresServer.start()
        defer { Task { try? await server.remove() } }
        let database = server.configuration
        try await withOrderStack(["DATABASE_URL": database.url, "ORDER_SAGA_TIMEOUT_MS": "1000"]) { stack in
            let radio = try await stack.product("Radio", price: "20.00", stock: 10)
            let pool = PostgresPool(configuration: database, logger: TestEnvironment.logger("outage"))
            defer { Task { await pool.close() } }
            // The order's first write after its reservation (its items) waits on a lock the test
            // holds; meanwhile the server stops, ending every session.
            let answer = try await pool.withConnection { lock -> TestResponse in
                try await lock.query("BEGIN")
                try await lock.query("LOCK TABLE order_items IN SHARE MODE")
                let placing = Task { try await stack.orders.placeOrder([(radio.id, 3)], as: stack.tokens.customer, key: "outage-1") }
                let deadline = SuspendingClock.now + .seconds(20)
                while try await pool.query(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).first!.decode("n", as: Int.self) == 0 {
                    guard SuspendingClock.now < deadline else { throw TestSetupError("the order never reached the lock") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await server.stop()
                return try await placing.value
            }
            // Told the truth: the order exists and is still being decided.
            #expect(answer.status == .conflict, "\(String(buffer: answer.body))")
            let error = try decode(ErrorEnvelope.self, answer).error
            #expect(error.code == "request_in_progress")
            guard case .number(let id)? = error.details?["order_id"] else { throw TestSetupError("no order_id in \(error)") }

            try await server.startAgain()
            // What finally happens: the recovery worker confirms it, charged once.
            var order: OrderResponse?
            let deadline = SuspendingClock.now + .seconds(30)
            while order?.status != "confirmed" {
                guard SuspendingClock.now < deadline else { throw TestSetupError("the order is still \(order?.status ?? "unreadable")") }
                try await Task.sleep(for: .milliseconds(200))
                let response = try await stack.orders.send("/api/v1/orders/\(Int(id))", headers: bearer(stack.tokens.customer))
                if response.status == .ok { order = try decode(OrderResponse.self, response) }
            }
            #expect(order?.paymentStatus == "paid")
            #expect(try await stack.stock(radio.id) == 7)
            let payments = try decode(
                Page<PaymentResponse>.self, try await stack.orders.send("/api/v1/orders/\(Int(id))/payments", headers: bearer(stack.tokens.customer)))
            #expect(payments.data.map(\.status) == ["succeeded"])
            // The client asking again with its key learns the outcome; nothing is placed twice.
            let replay = try await stack.orders.placeOrder([(radio.id, 3)], as: stack.tokens.customer, key: "outage-1")
            #expect(replay.status == .created)
            #expect(replay.headers[.replayed] == "true")
            #expect(try decode(OrderResponse.self, replay).id == Int(id))
            #expect(try await stack.stock(radio.id) == 7)
        }
    }
}
