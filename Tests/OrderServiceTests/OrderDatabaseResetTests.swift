import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// Order ids start again at 1 after the order database is reset (or restored from an older
/// backup) while the other services keep their data. Keys that cross a service boundary must
/// not start again with them: the Product service used to replay order 1's reservation for
/// the new order 1, which then got the old order's items, prices and stock.
@Suite("Order service: keys that outlive a reset of its database")
struct OrderDatabaseResetTests {
    @Test func ordersPlacedAfterAResetReserveTheirOwnStockAndChargeTheirOwnTotalOnce() async throws {
        try await withOrderStack { stack in
            let kettle = try await stack.product("Kettle", price: "40.00", stock: 10)
            let cup = try await stack.product("Cup", price: "3.00", stock: 10)
            let before = try await stack.orders.placeOrder([(kettle.id, 2)], as: stack.tokens.customer)
            #expect(before.status == .created)
            let first = try decode(OrderResponse.self, before)
            let firstCharge = try decode(
                Page<PaymentResponse>.self,
                try await stack.orders.send("/api/v1/orders/\(first.id)/payments", headers: bearer(stack.tokens.customer))
            ).data.first?.transactionID

            // What `make db-reset DB=order` does, on the running service: schema dropped and made again.
            let url = stack.orderDatabase.url
            try await ShellCommand.bash(
                """
                psql -X -q -v ON_ERROR_STOP=1 '\(url)' -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
                psql -X -q -v ON_ERROR_STOP=1 '\(url)' -f database/order-service-init.sql
                """)

            let after = try await stack.orders.placeOrder([(cup.id, 1)], as: stack.tokens.customer)
            #expect(after.status == .created, "\(String(buffer: after.body))")
            let second = try decode(OrderResponse.self, after)
            #expect(second.id == first.id, "the reset did not start the ids again, so this test proves nothing")
            // Its own item, price and totals: 3.00 + 0.24 tax + 5.00 shipping.
            #expect(second.items.map(\.productName) == ["Cup"])
            #expect(second.items.map(\.quantity) == [1])
            #expect(second.totalAmount == Money(Decimal(string: "8.24")!))
            // Its own stock, and nothing more of the kettle's.
            #expect(try await stack.stock(cup.id) == 9)
            #expect(try await stack.stock(kettle.id) == 8)
            #expect(try await stack.reserved(cup.id) == 1)
            #expect(try await stack.reserved(kettle.id) == 2)
            // One charge of its own total, under a key of its own (not the first order 1's charge).
            let payments = try decode(
                Page<PaymentResponse>.self,
                try await stack.orders.send("/api/v1/orders/\(second.id)/payments", headers: bearer(stack.tokens.customer))
            ).data
            #expect(payments.map(\.status) == ["succeeded"])
            #expect(payments.first?.amount == second.totalAmount)
            #expect(payments.first?.transactionID != nil && payments.first?.transactionID != firstCharge)
        }
    }
}
