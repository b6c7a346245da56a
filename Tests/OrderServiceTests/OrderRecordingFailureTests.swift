import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

/// A saga step whose outcome cannot be written (a total past what the order tables hold, a
/// value a constraint refuses) used to leave the order `pending` with its stock reserved,
/// retried by the recovery worker every few seconds for ever. It fails and compensates now.
@Suite("Order service: outcomes that cannot be recorded")
struct OrderRecordingFailureTests {
    private func sql(_ configuration: PostgresConfiguration, _ statement: String) async throws {
        let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger("recording-failure"))
        do {
            try await pool.query(PostgresQuery(unsafeSQL: statement))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    /// The order the response names is `failed`, nothing of `product` is held, and its saga has ended.
    private func expectFailedAndReleased(_ response: TestResponse, product: Int, stock: Int, stack: OrderTestStack) async throws {
        #expect(response.status == .unprocessableContent, "\(String(buffer: response.body))")
        let error = try decode(ErrorEnvelope.self, response).error
        #expect(error.code == "validation_failed")
        guard case .number(let id)? = error.details?["order_id"] else { throw TestSetupError("no order_id in \(error)") }
        let order = try decode(OrderResponse.self, try await stack.orders.send("/api/v1/orders/\(Int(id))", headers: bearer(stack.tokens.customer)))
        #expect(order.status == "failed")
        #expect(try await stack.stock(product) == stock)
        #expect(try await stack.reserved(product) == 0)
        let pool = PostgresPool(configuration: stack.orderDatabase, logger: TestEnvironment.logger("recording-failure"))
        let ended: Bool = try await pool.query("SELECT ended_at IS NOT NULL AS ended FROM order_sagas WHERE order_id = \(Int(id))")
            .first!.decode("ended")
        await pool.close()
        #expect(ended, "the saga is still open: recovery would retry it for ever")
        // Nothing left to cancel: the stock is back already.
        let cancel = try await stack.orders.send("/api/v1/orders/\(Int(id))/cancel", .post, headers: bearer(stack.tokens.customer))
        #expect(cancel.status == .conflict)
        #expect(errorCode(cancel) == "invalid_transition")
    }

    @Test func pricesAreBoundedSoThatNoOrderCanOverflow() async throws {
        try await withOrderStack { stack in
            let admin: [(name: String, value: String)] = [("Authorization", "Bearer \(stack.tokens.admin)")]
            let highest = try await stack.product("Yacht", price: "999999.99", stock: 5000)
            #expect(highest.price == Money(cents: 99_999_999))
            let refused = try await stack.http.execute(try .json(
                method: "PATCH", url: "\(stack.productURL)/api/v1/products/\(highest.id)", body: ["price": "1000000.00"], headers: admin))
            #expect(refused.status == 422)
            // A hundred at the highest price: recorded to the cent.
            let items = [(highest.id, 100)]
            let placed = try await stack.orders.placeOrder(items, as: stack.tokens.customer)
            #expect(placed.status == .created, "\(String(buffer: placed.body))")
            #expect(try decode(OrderResponse.self, placed).totalAmount == Money(Decimal(string: "107999998.92")!))
        }
    }

    @Test func aTotalPastWhatAnOrderHoldsFailsAndReleasesTheStock() async throws {
        try await withOrderStack { stack in
            let legacy = try await stack.product("Legacy", price: "10.00", stock: 4)
            // Priced before prices had a bound: 9999999999.99 was accepted then.
            try await sql(stack.productDatabase, "UPDATE products SET price = 9999999999.99 WHERE id = \(legacy.id)")
            let response = try await stack.orders.placeOrder([(legacy.id, 1)], as: stack.tokens.customer)
            try await expectFailedAndReleased(response, product: legacy.id, stock: 4, stack: stack)
        }
    }

    @Test func aWriteTheDatabaseRefusesFailsTheOrderAndReleasesTheStock() async throws {
        try await withOrderStack { stack in
            let cursed = try await stack.product("Cursed lamp", price: "10.00", stock: 4)
            // Stands for any rule a step's write can break.
            try await sql(stack.orderDatabase, "ALTER TABLE order_items ADD CONSTRAINT no_curses CHECK (product_name NOT LIKE 'Cursed%')")
            let response = try await stack.orders.placeOrder([(cursed.id, 2)], as: stack.tokens.customer)
            try await expectFailedAndReleased(response, product: cursed.id, stock: 4, stack: stack)
        }
    }
}
