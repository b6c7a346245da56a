import Authentication
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// The order routes alone (`.test(.router)`): the router built by `OrderServiceApp.buildRouter`
/// with a real order database, tokens signed in the test, and fakes of the User and Product
/// services and the payment processor.
@Suite("Order routes with fake peers")
struct OrderRoutesTests {
    /// Signs the stack's tokens and verifies them, as the User service's keys would.
    struct Tokens {
        let keys: JWTKeyCollection
        let verifier: TokenVerifier

        init() async {
            keys = await JWTKeyCollection().add(ecdsa: ES256PrivateKey(), kid: "test-key")
            verifier = TokenVerifier(
                configuration: TokenVerifierConfiguration(jwksURL: "http://127.0.0.1:9/unused"), localKeys: keys,
                logger: TestEnvironment.logger("tokens"))
        }

        func token(_ uid: String, roles: [String] = ["customer"]) async throws -> HTTPFields {
            let claims = AccessTokenClaims(
                subject: uid, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600), authTime: Date(), sessionID: nil,
                roles: roles, issuer: TokenVerifierConfiguration.defaultIssuer, audience: TokenVerifierConfiguration.defaultAudience)
            return bearer(try await keys.sign(claims, kid: "test-key"))
        }
    }

    func withRoutes(
        stock: FakeStock, payments: FakePayments = FakePayments(), _ body: @escaping @Sendable (any TestClientProtocol, Tokens) async throws -> Void
    ) async throws {
        let tokens = await Tokens()
        try await withSagaHarness { harness in
            let router = Router(context: ServiceRequestContext.self)
            router.addServiceDefaults(readiness: [])
            _ = OrderServiceApp.buildRouter(
                router,
                dependencies: OrderDependencies(
                    pool: harness.pool, users: FakeUsers(), stock: stock, payments: payments, tokenVerifier: tokens.verifier, provisioning: nil,
                    settings: harness.settings, internalToken: "internal",
                    events: OrderEventFeed(pool: harness.pool, heartbeat: .seconds(15), ready: SchemaReadiness(), logger: TestEnvironment.logger("events")),
                    leaseOwner: UUID(), logger: TestEnvironment.logger("orders")))
            try await Application(router: router).test(.router) { client in try await body(client, tokens) }
        }
    }

    static let order = json([
        "items": [["product_id": 7, "quantity": 2]], "payment_method": "card", "payment_token": "tok_visa", "shipping_method": "express",
    ])

    @Test func placeReadCancelAndTheRulesAroundThem() async throws {
        let stock = FakeStock()
        try await withRoutes(stock: stock) { client, tokens in
            let alice = try await tokens.token("alice")
            let placed = try await client.send("/api/v1/orders", .post, headers: alice, body: Self.order)
            #expect(placed.status == .created)
            let order = try decode(OrderResponse.self, placed)
            #expect(order.status == "confirmed" && order.paymentStatus == "paid")
            #expect(order.totalAmount == Money(string: "36.60"))  // 20.00 + 1.60 tax + 15.00 express
            #expect(order.items.map(\.productName) == ["Product 7"])

            // Another customer sees nothing of it; no token at all is 401.
            let bob = try await tokens.token("bob")
            #expect(try await client.send("/api/v1/orders/\(order.id)", headers: bob).status == .notFound)
            #expect(try await client.send("/api/v1/orders/\(order.id)").status == .unauthorized)
            #expect(try decode(Page<OrderResponse>.self, try await client.send("/api/v1/orders", headers: bob)).page.total == 0)

            // Only an admin ships; a cancelled order cannot be shipped.
            let ship = json(["status": "shipped"])
            #expect(try await client.send("/api/v1/orders/\(order.id)", .patch, headers: alice, body: ship).status == .forbidden)
            let cancelled = try await client.send("/api/v1/orders/\(order.id)/cancel", .post, headers: alice)
            #expect(try decode(OrderResponse.self, cancelled).status == "cancelled")
            #expect(try decode(OrderResponse.self, cancelled).paymentStatus == "refunded")
            #expect(stock.calls.withLock { $0 } == ["reserve", "release"])
            let admin = try await tokens.token("root", roles: ["admin"])
            let refused = try await client.send("/api/v1/orders/\(order.id)", .patch, headers: admin, body: ship)
            #expect(refused.status == .conflict)
            #expect(errorCode(refused) == "invalid_transition")
            let again = try await client.send("/api/v1/orders/\(order.id)/cancel", .post, headers: alice)
            #expect(again.status == .conflict)
            #expect(try decode(ErrorEnvelope.self, again).error.message == "an order that is cancelled cannot be cancelled")
        }
    }

    @Test func aFailedStepAnswersItsErrorAndAReplayAnswersItAgain() async throws {
        let stock = FakeStock { _ in
            .failed(SagaFailure(.insufficientStock, "not enough stock", details: ["product_id": .number(7)]), uncertain: false)
        }
        try await withRoutes(stock: stock) { client, tokens in
            var headers = try await tokens.token("alice")
            headers[HTTPField.Name("Idempotency-Key")!] = "order-1"
            let first = try await client.send("/api/v1/orders", .post, headers: headers, body: Self.order)
            #expect(first.status == .conflict)
            #expect(errorCode(first) == "insufficient_stock")
            let replay = try await client.send("/api/v1/orders", .post, headers: headers, body: Self.order)
            #expect(replay.status == .conflict)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(stock.calls.withLock { $0 } == ["reserve"])
            let other = json(["items": [["product_id": 8, "quantity": 1]], "payment_method": "card", "payment_token": "tok_visa",
                              "shipping_method": "standard"])
            #expect(errorCode(try await client.send("/api/v1/orders", .post, headers: headers, body: other)) == "idempotency_key_reused")
        }
    }
}
