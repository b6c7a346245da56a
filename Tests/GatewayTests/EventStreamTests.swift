import Contracts
import Foundation
@testable import Gateway
import HTTPTypes
import HummingbirdTesting
import ProductService
import ServiceKit
import TestSupport
import Testing

/// CONTRACT "Realtime": order and product changes pushed as Server-Sent Events, through the
/// gateway, read here over plain sockets exactly as they arrive.
@Suite("Event streams through the gateway")
struct EventStreamTests {
    @Test func anOrderStreamShowsItsOrderPlacedShippedAndAnotherCancelled() async throws {
        try await withFullStack(everyService: ["EVENT_HEARTBEAT_MS": "500"]) { stack in
            let gateway = stack.gateway
            let admin = try await gateway.adminToken()
            let customer = try await gateway.newCustomer(), stranger = try await gateway.newCustomer()
            let product = try await gateway.activeProduct(stock: 5, admin: admin)
            let first = try await gateway.order(product, as: customer.token.idToken)

            let one = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/\(first.id)/events", headers: [("Authorization", "Bearer \(customer.token.idToken)")])
            #expect(one.status == 200 && one.headers["content-type"] == "text/event-stream")
            let current = try await one.next()
            #expect(current.kind == "order.confirmed")
            #expect(try current.decode(OrderResponse.self) == first)
            let all = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/events", headers: [("Authorization", "Bearer \(customer.token.idToken)")])
            let ready = try await all.next()
            #expect(ready.kind == "ready")
            // An admin follows everyone's orders, or one user's.
            let admins = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/events?user_uid=\(customer.user.uid)", headers: [("Authorization", "Bearer \(admin)")])
            let adminsOfStranger = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/events?user_uid=\(stranger.user.uid)", headers: [("Authorization", "Bearer \(admin)")])
            #expect(try await admins.next().kind == "ready")
            #expect(try await adminsOfStranger.next().kind == "ready")

            let shipped = try await gateway.send(
                "/api/v1/orders/\(first.id)", .patch, headers: bearer(admin), body: json(["status": "shipped", "tracking_number": "TRK-1"]))
            #expect(shipped.status == .ok)
            let shippedEvent = try await one.next()
            #expect(shippedEvent.kind == "order.shipped")
            #expect(try shippedEvent.decode(OrderResponse.self).trackingNumber == "TRK-1")
            #expect(Int(shippedEvent.id ?? "") ?? 0 > Int(current.id ?? "") ?? .max)
            let adminsShipped = try await admins.next()
            #expect(adminsShipped.kind == "order.shipped" && adminsShipped.id == shippedEvent.id)

            let second = try await gateway.order(product, as: customer.token.idToken)
            #expect(try await gateway.send("/api/v1/orders/\(second.id)/cancel", .post, headers: bearer(customer.token.idToken)).status == .ok)
            var seen: [(id: Int, kind: String, order: Int)] = []
            while seen.count < 6 {
                let event = try await all.next()
                seen.append((Int(event.id ?? "") ?? -1, event.kind ?? "", try event.decode(OrderResponse.self).id))
            }
            #expect(seen.map(\.kind) == [
                "order.shipped", "order.created", "order.confirmed", "payment.paid", "order.cancelled", "payment.refunded",
            ])
            #expect(seen.map(\.order) == [first.id] + Array(repeating: second.id, count: 5))
            #expect(seen.map(\.id) == seen.map(\.id).sorted() && Set(seen.map(\.id)).count == 6)
            #expect(seen.first?.id == Int(shippedEvent.id ?? ""))

            // Another customer's order is not there for them, as everywhere else.
            let refused = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/\(first.id)/events", headers: [("Authorization", "Bearer \(stranger.token.idToken)")])
            #expect(refused.status == 404 && refused.errorBody.contains("not_found"))
            let anonymous = try await EventStreamReader.open(port: stack.gatewayPort, "/api/v1/orders/events")
            #expect(anonymous.status == 401)
            let strangers = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/events", headers: [("Authorization", "Bearer \(stranger.token.idToken)")])
            #expect(try await strangers.next().kind == "ready")
            let bad = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/events",
                headers: [("Authorization", "Bearer \(customer.token.idToken)"), ("Last-Event-ID", "yesterday")])
            #expect(bad.status == 400)
            // Heartbeats keep the stranger's idle streams alive, and nothing of the customer's reaches them.
            #expect(try await strangers.nextMessage(patience: .seconds(5)) == .comment("heartbeat"))
            #expect(try await adminsOfStranger.nextMessage(patience: .seconds(5)) == .comment("heartbeat"))
        }
    }

    @Test func aStreamResumedWithLastEventIDSeesEveryEventOnce() async throws {
        try await withFullStack { stack in
            let gateway = stack.gateway
            let admin = try await gateway.adminToken()
            let customer = try await gateway.newCustomer()
            let auth = ("Authorization", "Bearer \(customer.token.idToken)")
            let product = try await gateway.activeProduct(stock: 10, admin: admin)
            let stream = try await EventStreamReader.open(port: stack.gatewayPort, "/api/v1/orders/events", headers: [auth])
            let start = try #require(try await stream.next().id)

            let placed = try await gateway.order(product, as: customer.token.idToken)
            var before = [try await stream.next(), try await stream.next()]  // order.created, order.confirmed
            stream.disconnect()
            // Meanwhile: the rest of the confirmation, a cancellation, another order.
            #expect(try await gateway.send("/api/v1/orders/\(placed.id)/cancel", .post, headers: bearer(customer.token.idToken)).status == .ok)
            _ = try await gateway.order(product, as: customer.token.idToken)

            let resumed = try await EventStreamReader.open(
                port: stack.gatewayPort, "/api/v1/orders/events", headers: [auth, ("Last-Event-ID", try #require(before.last?.id))])
            var after: [EventStreamReader.Event] = []
            for _ in 0..<6 { after.append(try await resumed.next()) }
            before += after
            // The whole history since the first stream opened, from the start (the query form).
            let replay = try await EventStreamReader.open(port: stack.gatewayPort, "/api/v1/orders/events?last_event_id=\(start)", headers: [auth])
            var everything: [EventStreamReader.Event] = []
            for _ in 0..<8 { everything.append(try await replay.next()) }
            #expect(before.map(\.id) == everything.map(\.id))
            #expect(Set(before.compactMap(\.id)).count == 8)
            #expect(before.map { $0.kind ?? "" } == [
                "order.created", "order.confirmed", "payment.paid", "order.cancelled", "payment.refunded",
                "order.created", "order.confirmed", "payment.paid",
            ])
            // Nothing more, not even a repeat: the next thing on the resumed stream is a heartbeat at most.
            await #expect(throws: (any Error).self) { try await resumed.next(patience: .milliseconds(700)) }
        }
    }

    @Test func aChangeMadeThroughOneProductReplicaReachesAStreamHeldByAnother() async throws {
        try await withFullStack { stack in
            let admin = try await stack.gateway.adminToken()
            let product = try await stack.gateway.activeProduct(stock: 7, admin: admin)
            // A second replica on the same database; the gateway knows only the first.
            var replica = stack.productConfiguration
            let port = try await ShellCommand.freePort()
            replica.port = port
            try await ProductServiceApp.buildApplication(configuration: replica).withServer(onPort: port) {
                let held = try await EventStreamReader.open(port: port, "/api/v1/products/\(product.id)/events")
                let anonymous = try await EventStreamReader.open(port: stack.gatewayPort, "/api/v1/products/\(product.id)/events")
                for stream in [held, anonymous] {
                    let first = try await stream.next()
                    #expect(first.kind == "product.updated")
                    #expect(try first.decode(ProductResponse.self).stock == 7)
                    #expect(try first.decode(ProductResponse.self).costPrice == nil)  // the public view
                }
                let patched = try await stack.gateway.send(
                    "/api/v1/products/\(product.id)", .patch, headers: bearer(admin), body: json(["price": "12.50", "stock": 3]))
                #expect(patched.status == .ok)
                for stream in [held, anonymous] {
                    let changed = try await stream.next().decode(ProductResponse.self)
                    #expect(changed.price == Money(string: "12.50") && changed.stock == 3)
                }
                // A change of something else is not news.
                #expect(try await stack.gateway.send(
                    "/api/v1/products/\(product.id)", .patch, headers: bearer(admin), body: json(["description": "Still a lamp"])).status == .ok)
                let drafted = try await stack.gateway.send(
                    "/api/v1/products/\(product.id)", .patch, headers: bearer(admin), body: json(["status": "draft"]))
                #expect(drafted.status == .ok)
                for stream in [held, anonymous] {
                    #expect(try await stream.next().kind == "product.removed")
                    #expect(await stream.ends(within: .seconds(5)))
                }
                let gone = try await EventStreamReader.open(port: stack.gatewayPort, "/api/v1/products/\(product.id)/events")
                #expect(gone.status == 404)
            }
        }
    }

    @Test func streamsAreBoundedPerCallerAndEachIsLoggedOnceWhenItEnds() async throws {
        try await withFullStack(gateway: ["STREAM_LIMIT_PER_USER": "2"], everyService: ["EVENT_HEARTBEAT_MS": "200"]) { stack in
            let gateway = stack.gateway
            let admin = try await gateway.adminToken()
            let customer = try await gateway.newCustomer()
            let product = try await gateway.activeProduct(stock: 4, admin: admin)
            let path = "/api/v1/products/\(product.id)/events"
            let auth = ("Authorization", "Bearer \(customer.token.idToken)")
            let kept = try await EventStreamReader.open(port: stack.gatewayPort, path, headers: [auth, ("X-Request-ID", "stream-kept")])
            let left = try await EventStreamReader.open(port: stack.gatewayPort, path, headers: [auth, ("X-Request-ID", "stream-left")])
            _ = try await kept.next()
            _ = try await left.next()
            let third = try await EventStreamReader.open(port: stack.gatewayPort, path, headers: [auth])
            #expect(third.status == 429 && third.errorBody.contains("rate_limited"))
            // Another caller is not held to this one's bound.
            let other = try await EventStreamReader.open(port: stack.gatewayPort, path)
            #expect(other.status == 200)

            try await Task.sleep(for: .seconds(1))
            left.disconnect()
            // Its place is given back once the gateway sees it gone.
            #expect(try await eventually(within: 10) {
                try await EventStreamReader.open(port: stack.gatewayPort, path, headers: [auth]).status == 200
            })

            // A stream open for a while still carries news.
            #expect(try await stack.gateway.send(
                "/api/v1/products/\(product.id)", .patch, headers: bearer(admin), body: json(["stock": 9])).status == .ok)
            #expect(try await kept.next().decode(ProductResponse.self).stock == 9)

            // One api_logs row for the stream that ended, with how long it was open.
            let row = try #require(try await logRow("stream-left", gateway, admin: admin))
            #expect(row.statusCode == 200 && row.path == path && row.userUID == customer.user.uid)
            #expect(row.latencyMs >= 1000)
            #expect(try await logRow("stream-kept", gateway, admin: admin, patience: .milliseconds(500)) == nil)
        }
    }

    // MARK: Helpers

    private func logRow(
        _ requestID: String, _ gateway: any TestClientProtocol, admin: String, patience: Duration = .seconds(10)
    ) async throws -> AdminController.LogRow? {
        let deadline = ContinuousClock.now + patience
        repeat {
            let page = try decode(Page<AdminController.LogRow>.self, try await gateway.send(
                "/api/v1/admin/api-logs?request_id=\(requestID)", headers: bearer(admin)))
            if let row = page.data.first { return row }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return nil
    }
}

extension TestClientProtocol {
    /// An active product with `stock` units at 10.00, in a category of its own, made by the admin.
    func activeProduct(stock: Int, admin: String) async throws -> ProductResponse {
        let category = try decode(CategoryResponse.self, try await send(
            "/api/v1/categories", .post, headers: bearer(admin), body: json(["name": "Live \(UUID().uuidString.prefix(8))"])))
        return try decode(ProductResponse.self, try await send(
            "/api/v1/products", .post, headers: bearer(admin),
            body: json(["name": "Lamp", "price": "10.00", "stock": stock, "category_id": category.id, "sku": "LIVE-\(UUID().uuidString.prefix(8))"])))
    }

    /// One unit of `product`, ordered (and confirmed) as the user behind `token`.
    func order(_ product: ProductResponse, as token: String) async throws -> OrderResponse {
        let placed = try await send("/api/v1/orders", .post, headers: bearer(token), body: json([
            "items": [["product_id": product.id, "quantity": 1]], "payment_method": "card", "payment_token": "tok_visa",
            "shipping_method": "standard",
        ]))
        #expect(placed.status == .created, "\(String(buffer: placed.body))")
        return try decode(OrderResponse.self, placed)
    }
}
