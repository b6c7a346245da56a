import Contracts
import Foundation
import HTTPClient
import HTTPTypes
import HummingbirdTesting
import Postgres
import ServiceKit
import TestSupport
import Testing

@Suite("Order service: failures leave stock as it was")
struct OrderFailureTests {
    /// Asserts the response is `status`/`code` and the order it names is kept `failed` with a reason.
    private func expectFailedOrder(
        _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String, stack: OrderTestStack
    ) async throws -> OrderResponse {
        #expect(response.status == status)
        let error = try decode(ErrorEnvelope.self, response).error
        #expect(error.code == code)
        guard case .number(let id)? = error.details?["order_id"] else { throw TestSetupError("no order_id in \(error)") }
        let order = try decode(OrderResponse.self, try await stack.orders.send("/api/v1/orders/\(Int(id))", headers: bearer(stack.tokens.customer)))
        #expect(order.status == "failed")
        #expect(order.failureReason?.isEmpty == false)
        return order
    }

    @Test func aDeclinedPaymentReleasesTheStock() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 5)
            let response = try await stack.orders.placeOrder([(mug.id, 2)], as: stack.tokens.customer, paymentToken: "tok_chargeDeclined")
            let order = try await expectFailedOrder(response, .init(code: 402), "payment_declined", stack: stack)
            #expect(order.paymentStatus == "failed")
            #expect(try await stack.stock(mug.id) == 5)
            #expect(try await stack.reserved(mug.id) == 0)
            let payments = try decode(
                Page<PaymentResponse>.self, try await stack.orders.send("/api/v1/orders/\(order.id)/payments", headers: bearer(stack.tokens.customer)))
            #expect(payments.data.map(\.status) == ["failed"])
        }
    }

    @Test func insufficientStockNamesTheProductAndTakesNothing() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 5)
            let pen = try await stack.product("Pen", stock: 1)
            let response = try await stack.orders.placeOrder([(mug.id, 2), (pen.id, 2)], as: stack.tokens.customer)
            _ = try await expectFailedOrder(response, .conflict, "insufficient_stock", stack: stack)
            #expect(try decode(ErrorEnvelope.self, response).error.details?["product_id"] == .number(Double(pen.id)))
            #expect(try await stack.stock(mug.id) == 5)
            #expect(try await stack.stock(pen.id) == 1)
        }
    }

    @Test func anUnknownProductIsRefused() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 5)
            let response = try await stack.orders.placeOrder([(mug.id, 1), (999_999, 1)], as: stack.tokens.customer)
            _ = try await expectFailedOrder(response, .unprocessableContent, "unknown_product", stack: stack)
            #expect(try await stack.stock(mug.id) == 5)
        }
    }

    @Test func aDeadUserServiceIsAFast503() async throws {
        let dead = "http://127.0.0.1:\(try await ShellCommand.freePort())"
        try await withOrderStack(["USER_SERVICE_URL": dead]) { stack in
            let mug = try await stack.product("Mug", stock: 5)
            let started = SuspendingClock.now
            let response = try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer)
            #expect(SuspendingClock.now - started < .seconds(3))
            _ = try await expectFailedOrder(response, .serviceUnavailable, "upstream_unavailable", stack: stack)
            #expect(try await stack.stock(mug.id) == 5)
        }
    }

    @Test func aDeadProductServiceIsAFast503() async throws {
        let dead = "http://127.0.0.1:\(try await ShellCommand.freePort())"
        try await withOrderStack(["PRODUCT_SERVICE_URL": dead]) { stack in
            let started = SuspendingClock.now
            let response = try await stack.orders.placeOrder([(1, 1)], as: stack.tokens.customer)
            #expect(SuspendingClock.now - started < .seconds(3))
            _ = try await expectFailedOrder(response, .serviceUnavailable, "upstream_unavailable", stack: stack)
        }
    }

    @Test func aHangingProductServiceTimesOutThenTheCircuitOpens() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { hanging in
            try await withOrderStack(["PRODUCT_SERVICE_URL": hanging, "UPSTREAM_TIMEOUT_MS": "300"]) { stack in
                var elapsed: [Duration] = []
                for _ in 0..<6 {
                    let started = SuspendingClock.now
                    let response = try await stack.orders.placeOrder([(1, 1)], as: stack.tokens.customer)
                    elapsed.append(SuspendingClock.now - started)
                    _ = try await expectFailedOrder(response, .serviceUnavailable, "upstream_unavailable", stack: stack)
                }
                // Each times out after 300 ms (the reserve, then its release), never the upstream's 5 s; once
                // the breaker is open (5 failures), later orders do not reach the upstream at all.
                #expect(elapsed.allSatisfy { $0 < .seconds(3) })
                #expect(upstream.hitCount("internal") <= 6, "without a breaker 6 orders would send 12 requests")
            }
        }
    }

    @Test func aKeyStillInProgressIs409AndLaterReplaysTheFinalAnswer() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { hanging in
            try await withOrderStack(["PRODUCT_SERVICE_URL": hanging, "UPSTREAM_TIMEOUT_MS": "4500"]) { stack in
                // The first request waits on the hanging Product service while the second arrives
                // on a connection of its own (the test client's would queue it behind the first).
                let first = Task { try await stack.orders.placeOrder([(1, 1)], as: stack.tokens.customer, key: "slow-key") }
                while upstream.hitCount("internal") == 0 { try await Task.sleep(for: .milliseconds(20)) }
                let second = try await stack.peers.http.execute(stack.orderRequest([(1, 1)], key: "slow-key"))
                #expect(second.status == 409)
                #expect(second.errorEnvelope?.error.code == "request_in_progress")
                let firstAnswer = try await first.value
                #expect(firstAnswer.status == .serviceUnavailable)
                let replay = try await stack.orders.placeOrder([(1, 1)], as: stack.tokens.customer, key: "slow-key")
                #expect(replay.status == .serviceUnavailable)
                #expect(replay.headers[.replayed] == "true")
                #expect(errorCode(replay) == "upstream_unavailable")
            }
        }
    }
}
