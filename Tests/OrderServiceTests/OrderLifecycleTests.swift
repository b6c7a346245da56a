import Contracts
import Foundation
import HTTPClient
import HTTPTypes
import HummingbirdTesting
import Postgres
import ServiceKit
import TestSupport
import Testing

@Suite("Order service: idempotency, cancellation, transitions, oversell")
struct OrderLifecycleTests {
    @Test func anIdempotencyKeyReplaysTheFirstResponse() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 10)
            let first = try await stack.orders.placeOrder([(mug.id, 2)], as: stack.tokens.customer, key: "key-1")
            #expect(first.status == .created)
            #expect(first.headers[.replayed] == nil)
            let replay = try await stack.orders.placeOrder([(mug.id, 2)], as: stack.tokens.customer, key: "key-1")
            #expect(replay.status == .created)
            #expect(replay.headers[.replayed] == "true")
            #expect(try decode(OrderResponse.self, replay) == decode(OrderResponse.self, first))
            #expect(try await stack.stock(mug.id) == 8)

            let reused = try await stack.orders.placeOrder([(mug.id, 3)], as: stack.tokens.customer, key: "key-1")
            #expect(reused.status == .unprocessableContent)
            #expect(errorCode(reused) == "idempotency_key_reused")
            // Keys are per user: another customer's "key-1" is a new order.
            #expect(try await stack.orders.placeOrder([(mug.id, 2)], as: stack.tokens.otherCustomer, key: "key-1").headers[.replayed] == nil)

            // A failure is replayed too.
            let declined = try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer, paymentToken: "tok_chargeDeclined", key: "key-2")
            let again = try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer, paymentToken: "tok_chargeDeclined", key: "key-2")
            #expect(declined.status.code == 402)
            #expect(again.status.code == 402)
            #expect(again.headers[.replayed] == "true")
            #expect(try decode(ErrorEnvelope.self, again).error.details?["order_id"] == decode(ErrorEnvelope.self, declined).error.details?["order_id"])
        }
    }

    @Test func concurrentRequestsWithOneKeyPlaceOneOrder() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 20)
            let responses = try await sendConcurrently(8) { _ in stack.orderRequest([(mug.id, 1)], key: "same") }
            let fresh = responses.filter { $0.status == 201 && $0.header("Idempotent-Replayed") == nil }
            #expect(fresh.count == 1)
            #expect(responses.allSatisfy {
                $0.status == 201 || ($0.status == 409 && $0.errorEnvelope?.error.code == "request_in_progress")
            })
            #expect(try await stack.stock(mug.id) == 19)
            let list = try decode(Page<OrderResponse>.self, try await stack.orders.send("/api/v1/orders", headers: bearer(stack.tokens.customer)))
            #expect(list.page.total == 1)
        }
    }

    @Test func cancellingRefundsAndGivesTheStockBack() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", price: "12.50", stock: 4)
            let order = try decode(OrderResponse.self, try await stack.orders.placeOrder([(mug.id, 3)], as: stack.tokens.customer))
            #expect(try await stack.stock(mug.id) == 1)
            let path = "/api/v1/orders/\(order.id)/cancel"
            #expect(try await stack.orders.send(path, .post, headers: bearer(stack.tokens.otherCustomer)).status == .notFound)

            let cancelled = try await stack.orders.send(path, .post, headers: bearer(stack.tokens.customer))
            #expect(cancelled.status == .ok)
            let body = try decode(OrderResponse.self, cancelled)
            #expect(body.status == "cancelled")
            #expect(body.paymentStatus == "refunded")
            #expect(try await stack.stock(mug.id) == 4)
            #expect(try await stack.reserved(mug.id) == 0)
            let payments = try decode(
                Page<PaymentResponse>.self, try await stack.orders.send("/api/v1/orders/\(order.id)/payments", headers: bearer(stack.tokens.customer)))
            #expect(payments.data.map(\.status) == ["succeeded", "refunded"])
            #expect(payments.data.map(\.amount) == [order.totalAmount, order.totalAmount])

            let twice = try await stack.orders.send(path, .post, headers: bearer(stack.tokens.customer))
            #expect(twice.status == .conflict)
            #expect(errorCode(twice) == "invalid_transition")
            #expect(try await stack.stock(mug.id) == 4)
        }
    }

    @Test func adminsShipAndDeliverConfirmedOrdersOnly() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 4)
            let order = try decode(OrderResponse.self, try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer))
            let path = "/api/v1/orders/\(order.id)"
            func patch(_ body: [String: Any], as token: String) async throws -> TestResponse {
                try await stack.orders.send(path, .patch, headers: bearer(token), body: json(body))
            }
            #expect(try await patch(["status": "shipped"], as: stack.tokens.customer).status == .forbidden)
            #expect(try await patch(["status": "teleported"], as: stack.tokens.admin).status == .unprocessableContent)
            #expect(try await patch([:], as: stack.tokens.admin).status == .unprocessableContent)
            let early = try await patch(["status": "delivered"], as: stack.tokens.admin)
            #expect(early.status == .conflict)
            #expect(errorCode(early) == "invalid_transition")

            let shipped = try decode(OrderResponse.self, try await patch(["status": "shipped", "tracking_number": "TRK-1"], as: stack.tokens.admin))
            #expect(shipped.status == "shipped")
            #expect(shipped.trackingNumber == "TRK-1")
            let cancel = try await stack.orders.send("\(path)/cancel", .post, headers: bearer(stack.tokens.customer))
            #expect(errorCode(cancel) == "invalid_transition")
            let delivered = try decode(OrderResponse.self, try await patch(["status": "delivered"], as: stack.tokens.admin))
            #expect(delivered.status == "delivered")
            #expect(delivered.trackingNumber == "TRK-1")
            #expect(errorCode(try await patch(["status": "confirmed"], as: stack.tokens.admin)) == "invalid_transition")
            #expect(try await stack.orders.send("/api/v1/orders/999999", .patch, headers: bearer(stack.tokens.admin), body: json(["status": "shipped"])).status
                == .notFound)
        }
    }

    @Test func oneHundredConcurrentOrdersForTwentyUnitsConfirmExactlyTwenty() async throws {
        // A hundred reservations queue on one product row: time enough for them on a busy machine.
        try await withOrderStack(["UPSTREAM_TIMEOUT_MS": "30000"]) { stack in
            let hot = try await stack.product("Hot", stock: 20)
            let statuses = try await sendConcurrently(100) { _ in stack.orderRequest([(hot.id, 1)]) }.map(\.status)
            #expect(statuses.filter { $0 == 201 }.count == 20)
            #expect(statuses.filter { $0 == 409 }.count == 80)
            #expect(try await stack.stock(hot.id) == 0)
            let confirmed = try decode(
                Page<OrderResponse>.self,
                try await stack.orders.send("/api/v1/orders?status=confirmed&limit=100", headers: bearer(stack.tokens.customer)))
            #expect(confirmed.page.total == 20)
        }
    }

    @Test func adminsSeeEveryonesOrdersNewestFirstAndMayCancelThem() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 10)
            let first = try decode(OrderResponse.self, try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer))
            let second = try decode(OrderResponse.self, try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.otherCustomer))
            let third = try decode(OrderResponse.self, try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer))
            let all = try decode(Page<OrderResponse>.self, try await stack.orders.send("/api/v1/orders", headers: bearer(stack.tokens.admin)))
            #expect(all.data.map(\.id) == [third.id, second.id, first.id])
            let own = try decode(Page<OrderResponse>.self, try await stack.orders.send("/api/v1/orders", headers: bearer(stack.tokens.customer)))
            #expect(own.data.map(\.id) == [third.id, first.id])

            let cancelled = try await stack.orders.send("/api/v1/orders/\(second.id)/cancel", .post, headers: bearer(stack.tokens.admin))
            #expect(cancelled.status == .ok)
            #expect(try decode(OrderResponse.self, cancelled).status == "cancelled")
            #expect(try await stack.stock(mug.id) == 8)
        }
    }
}
