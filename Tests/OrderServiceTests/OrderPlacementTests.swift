import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@Suite("Order service: placing orders")
struct OrderPlacementTests {
    @Test func theHappyPathConfirmsWithExactTotalsAndVerifiesThePurchase() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", price: "19.99", stock: 10)
            let pen = try await stack.product("Pen", price: "5.01", stock: 5)
            do { let orders = stack.orders
                let response = try await orders.placeOrder([(mug.id, 3), (pen.id, 1)], as: stack.tokens.customer)
                #expect(response.status == .created)
                let order = try decode(OrderResponse.self, response)
                #expect(order.status == "confirmed")
                #expect(order.paymentStatus == "paid")
                #expect(order.userUID == stack.tokens.customerUID)
                // 3 × 19.99 = 59.97, tax 4.7976 → 4.80; 5.01, tax 0.4008 → 0.40; standard shipping under 100.00.
                #expect(order.subtotal == Money(string: "64.98"))
                #expect(order.taxAmount == Money(string: "5.20"))
                #expect(order.shippingAmount == Money(string: "5.00"))
                #expect(order.discountAmount == Money(string: "0.00"))
                #expect(order.totalAmount == Money(string: "75.18"))
                #expect(order.items.map(\.productName) == ["Mug", "Pen"])
                #expect(order.items.map(\.finalPrice) == [Money(string: "64.77"), Money(string: "5.41")])
                #expect(try await stack.stock(mug.id) == 7)
                #expect(try await stack.stock(pen.id) == 4)

                let payments = try decode(
                    Page<PaymentResponse>.self, try await orders.send("/api/v1/orders/\(order.id)/payments", headers: bearer(stack.tokens.customer)))
                #expect(payments.data.map(\.status) == ["succeeded"])
                #expect(payments.data.first?.amount == order.totalAmount)
                #expect(payments.data.first?.transactionID?.hasPrefix("ch_sim_") == true)

                // Visible to its owner and admins only.
                #expect(try await orders.send("/api/v1/orders/\(order.id)", headers: bearer(stack.tokens.otherCustomer)).status == .notFound)
                #expect(try await orders.send("/api/v1/orders/\(order.id)/payments", headers: bearer(stack.tokens.otherCustomer)).status == .notFound)
                #expect(try await orders.send("/api/v1/orders/\(order.id)").status == .unauthorized)
                #expect(try decode(OrderResponse.self, try await orders.send("/api/v1/orders/\(order.id)", headers: bearer(stack.tokens.admin))) == order)
                let own = try decode(Page<OrderResponse>.self, try await orders.send("/api/v1/orders", headers: bearer(stack.tokens.customer)))
                #expect(own.data.map(\.id) == [order.id])
                #expect(own.page.total == 1)
                #expect(try decode(Page<OrderResponse>.self, try await orders.send("/api/v1/orders", headers: bearer(stack.tokens.otherCustomer))).data.isEmpty)
                let filtered = try decode(
                    Page<OrderResponse>.self,
                    try await orders.send("/api/v1/orders?user_uid=\(stack.tokens.customerUID)", headers: bearer(stack.tokens.admin)))
                #expect(filtered.data.map(\.id) == [order.id])

                // The Product service asks the Order service: the review is a verified purchase.
                #expect(try await stack.review(mug.id, as: stack.tokens.customer).isVerifiedPurchase)
                #expect(try await stack.review(mug.id, as: stack.tokens.otherCustomer).isVerifiedPurchase == false)
            }
        }
    }

    @Test func expressShippingAndFreeStandardShippingFromOneHundred() async throws {
        try await withOrderStack { stack in
            let lamp = try await stack.product("Lamp", price: "50.00", stock: 10)
            do { let orders = stack.orders
                let free = try decode(OrderResponse.self, try await orders.placeOrder([(lamp.id, 2)], as: stack.tokens.customer))
                #expect(free.shippingAmount == Money(string: "0.00"))
                #expect(free.totalAmount == Money(string: "108.00"))
                let express = try decode(
                    OrderResponse.self, try await orders.placeOrder([(lamp.id, 2)], as: stack.tokens.customer, shipping: "express"))
                #expect(express.shippingAmount == Money(string: "15.00"))
                #expect(express.totalAmount == Money(string: "123.00"))
            }
        }
    }

    @Test func invalidRequestsAreRefusedAtTheEdge() async throws {
        try await withOrderStack { stack in
            do { let orders = stack.orders
                let token = bearer(stack.tokens.customer)
                func fields(_ body: [String: Any]) async throws -> [String] {
                    let response = try await orders.send("/api/v1/orders", .post, headers: token, body: json(body))
                    #expect(response.status == .unprocessableContent)
                    guard case .object(let fields)? = try decode(ErrorEnvelope.self, response).error.details?["fields"] else { return [] }
                    return fields.keys.sorted()
                }
                #expect(try await fields([:]) == ["items", "payment_method", "payment_token", "shipping_method"])
                let valid: [String: Any] = ["items": [["product_id": 1, "quantity": 1]], "payment_method": "card",
                                            "payment_token": "tok_visa", "shipping_method": "standard"]
                #expect(try await fields(valid.merging(["items": [] as [Any]]) { $1 }) == ["items"])
                #expect(try await fields(valid.merging(["items": [["product_id": 1, "quantity": 101]]]) { $1 }) == ["items"])
                #expect(try await fields(valid.merging(["items": [["product_id": 1, "quantity": 1], ["product_id": 1, "quantity": 2]]]) { $1 }) == ["items"])
                #expect(try await fields(valid.merging(["items": (1...51).map { ["product_id": $0, "quantity": 1] }]) { $1 }) == ["items"])
                #expect(try await fields(valid.merging(["shipping_method": "drone"]) { $1 }) == ["shipping_method"])
                #expect(try await fields(valid.merging(["payment_method": "cash"]) { $1 }) == ["payment_method"])
                let wrongType = try await orders.send("/api/v1/orders", .post, headers: token, body: json(valid.merging(["items": "many"]) { $1 }))
                #expect(wrongType.status == .badRequest)
                #expect(try await orders.send("/api/v1/orders", .post, body: json(valid)).status == .unauthorized)
                #expect(try await orders.send("/api/v1/orders?status=lost", headers: token).status == .badRequest)
            }
        }
    }

    @Test func anyTestTokenButTheDeclinedOneIsCharged() async throws {
        try await withOrderStack { stack in
            let mug = try await stack.product("Mug", stock: 5)
            let response = try await stack.orders.placeOrder([(mug.id, 1)], as: stack.tokens.customer, paymentToken: "tok_mastercard")
            #expect(response.status == .created)
            #expect(try decode(OrderResponse.self, response).paymentStatus == "paid")
        }
    }

    @Test func theTaxRateComesFromConfiguration() async throws {
        try await withOrderStack(["TAX_RATE": "0.125"]) { stack in
            let book = try await stack.product("Book", price: "10.02", stock: 5)
            let order = try decode(OrderResponse.self, try await stack.orders.placeOrder([(book.id, 1)], as: stack.tokens.customer))
            // 10.02 × 0.125 = 1.2525 → 1.25; standard shipping under 100.00.
            #expect(order.taxAmount == Money(string: "1.25"))
            #expect(order.totalAmount == Money(string: "16.27"))
        }
    }
}
