import Contracts
import Foundation
@testable import Gateway
import HTTPTypes
import HummingbirdTesting
import OrderService
import ProductService
import ServiceKit
import TestSupport
import Testing
import UserService

private func withStack(_ body: @escaping @Sendable (_ gateway: any TestClientProtocol) async throws -> Void) async throws {
    try await withFullStack { try await body($0.gateway) }
}

/// CONTRACT: "A request with `X-API-Key: <key>` acts with those permissions". The gateway
/// checks the key and sends the services a short-lived token for it, so the services
/// themselves let a `products:write` key manage the catalog and an `orders:read` key read
/// every order, and refuse a key wherever a user is needed.
@Suite("API keys act with their permissions at the services")
struct APIKeyPermissionTests {
    @Test func aProductsWriteKeyManagesTheCatalogButWritesNoReview() async throws {
        try await withStack { gateway in
            let admin = try await gateway.adminToken()
            let writer = try await gateway.apiKey(["products:read", "products:write"], admin: admin)
            let reader = try await gateway.apiKey(["products:read"], admin: admin)

            let category = try await gateway.send("/api/v1/categories", .post, headers: writer, body: json(["name": "Keyed"]))
            #expect(category.status == .created, "\(String(buffer: category.body))")
            let categoryID = try decode(CategoryResponse.self, category).id
            let created = try await gateway.send(
                "/api/v1/products", .post, headers: writer,
                body: json(["name": "Lamp", "price": "30.00", "stock": 4, "category_id": categoryID, "sku": "KEY-\(UUID().uuidString.prefix(8))",
                            "cost_price": "12.00", "status": "draft"]))
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let product = try decode(ProductResponse.self, created)
            #expect(product.costPrice == Money(string: "12.00"))  // the admin view
            let updated = try await gateway.send("/api/v1/products/\(product.id)", .patch, headers: writer, body: json(["status": "active"]))
            #expect(updated.status == .ok)

            // A reading key sees what anyone sees: the product, without its cost.
            let read = try await gateway.send("/api/v1/products/\(product.id)", headers: reader)
            #expect(read.status == .ok)
            #expect(try decode(ProductResponse.self, read).costPrice == nil)
            // A key acts for no user: it cannot write a review.
            let review = try await gateway.send("/api/v1/products/\(product.id)/reviews", .post, headers: writer, body: json(["rating": 5]))
            #expect(review.status == .forbidden)
            #expect(errorCode(review) == "forbidden")
            // A customer's token sent along with the key reaches no service: the key's token
            // replaces it, so the Product service refuses the review (the customer alone may write one).
            let customer = try await gateway.newCustomer()
            var both = writer
            both[.authorization] = "Bearer \(customer.token.idToken)"
            let smuggled = try await gateway.send("/api/v1/products/\(product.id)/reviews", .post, headers: both, body: json(["rating": 5]))
            #expect(smuggled.status == .forbidden)
            let written = try await gateway.send(
                "/api/v1/products/\(product.id)/reviews", .post, headers: bearer(customer.token.idToken), body: json(["rating": 4]))
            #expect(written.status == .created)
            // Moderation is catalog writing: the key approves and deletes the customer's review.
            let reviewID = try decode(ReviewResponse.self, written).id
            let approved = try await gateway.send("/api/v1/reviews/\(reviewID)", .patch, headers: writer, body: json(["is_approved": true]))
            #expect(approved.status == .ok)
            #expect(try decode(ReviewResponse.self, approved).isApproved)
            #expect(try await gateway.send("/api/v1/reviews/\(reviewID)", .delete, headers: writer).status == .noContent)
            #expect(try await gateway.send("/api/v1/products/\(product.id)", .delete, headers: writer).status == .noContent)
        }
    }

    @Test func anOrdersReadKeyReadsEveryOrderAndChangesNone() async throws {
        try await withStack { gateway in
            let admin = try await gateway.adminToken()
            let category = try decode(CategoryResponse.self, try await gateway.send(
                "/api/v1/categories", .post, headers: bearer(admin), body: json(["name": "Orders"])))
            let product = try decode(ProductResponse.self, try await gateway.send(
                "/api/v1/products", .post, headers: bearer(admin),
                body: json(["name": "Mug", "price": "8.00", "stock": 10, "category_id": category.id, "sku": "ORD-\(UUID().uuidString.prefix(8))"])))
            let customer = try await gateway.newCustomer()
            let placed = try await gateway.send(
                "/api/v1/orders", .post, headers: bearer(customer.token.idToken),
                body: json(["items": [["product_id": product.id, "quantity": 1]], "payment_method": "card", "payment_token": "tok_visa",
                            "shipping_method": "standard"]))
            #expect(placed.status == .created, "\(String(buffer: placed.body))")
            let order = try decode(OrderResponse.self, placed)
            let key = try await gateway.apiKey(["orders:read"], admin: admin)

            let all = try await gateway.send("/api/v1/orders?user_uid=\(customer.user.uid)", headers: key)
            #expect(all.status == .ok, "\(String(buffer: all.body))")
            #expect(try decode(Page<OrderResponse>.self, all).data.map(\.id) == [order.id])
            #expect(try await gateway.send("/api/v1/orders/\(order.id)", headers: key).status == .ok)
            #expect(try await gateway.send("/api/v1/orders/\(order.id)/payments", headers: key).status == .ok)
            // Reading only: no cancel (the gateway refuses), and no catalog.
            #expect(try await gateway.send("/api/v1/orders/\(order.id)/cancel", .post, headers: key).status == .forbidden)
            #expect(try await gateway.send("/api/v1/products/\(product.id)", headers: key).status == .forbidden)
            // Another customer still sees only their own orders.
            let other = try await gateway.newCustomer()
            #expect(try await gateway.send("/api/v1/orders/\(order.id)", headers: bearer(other.token.idToken)).status == .notFound)
            #expect(try decode(Page<OrderResponse>.self, try await gateway.send(
                "/api/v1/orders?user_uid=\(customer.user.uid)", headers: bearer(other.token.idToken))).data.isEmpty)
        }
    }

    /// CONTRACT: "A deleted or expired key stops working within 5 seconds", although the
    /// gateway holds a token for the key that lasts 5 minutes: the token never leaves it.
    @Test func aDeletedKeyStopsWorkingWithinFiveSeconds() async throws {
        try await withStack { gateway in
            let admin = try await gateway.adminToken()
            let writer = try await gateway.apiKey([Permission.productsWrite.rawValue], admin: admin)
            let created = try await gateway.send("/api/v1/categories", .post, headers: writer, body: json(["name": "Before"]))
            #expect(created.status == .created)
            let keys = try decode(Page<APIKeyResponse>.self, try await gateway.send("/api/v1/api-keys", headers: bearer(admin)))
            let id = try #require(keys.data.first { $0.name == Permission.productsWrite.rawValue }?.id)
            #expect(try await gateway.send("/api/v1/api-keys/\(id)", .delete, headers: bearer(admin)).status == .noContent)
            try await Task.sleep(for: .seconds(5))
            let refused = try await gateway.send("/api/v1/categories", .post, headers: writer, body: json(["name": "After"]))
            #expect(refused.status == .unauthorized)
            #expect(errorCode(refused) == "unauthorized")
        }
    }

    /// CONTRACT: "A deleted or expired key stops working within 5 seconds". Until it expires,
    /// the key's requests, those its permissions refuse included, are logged under it:
    /// `api_logs.user_uid` is `apikey:<id>`.
    @Test func anExpiredKeyStopsWorkingWithinFiveSecondsAndItsRequestsAreLoggedUnderIt() async throws {
        try await withStack { gateway in
            let admin = try await gateway.adminToken()
            let expiry = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 4).rounded(.down))
            let created = try decode(APIKeyResponse.self, try await gateway.send(
                "/api/v1/api-keys", .post, headers: bearer(admin),
                body: json(["name": "short-lived", "permissions": [Permission.productsRead.rawValue], "rate_limit": 1000,
                            "expires_at": expiry.ISO8601Format()])))
            let requestID = "key-log-\(UUID().uuidString)"
            let key: HTTPFields = [HTTPField.Name("X-API-Key")!: try #require(created.key), .requestID: requestID]
            #expect(try await gateway.send("/api/v1/products", headers: key).status == .ok)
            var refusedWrite = key
            refusedWrite[.requestID] = "\(requestID)-refused"
            #expect(try await gateway.send("/api/v1/categories", .post, headers: refusedWrite, body: json(["name": "No"])).status == .forbidden)

            var rows: [AdminController.LogRow] = []
            for _ in 0..<50 where rows.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                rows = try decode(Page<AdminController.LogRow>.self, try await gateway.send(
                    "/api/v1/admin/api-logs?request_id=\(requestID)", headers: bearer(admin))).data
            }
            #expect(rows.map(\.userUID) == ["apikey:\(created.id)"])
            var byKey: [AdminController.LogRow] = []
            for _ in 0..<50 where byKey.count < 2 {
                byKey = try decode(Page<AdminController.LogRow>.self, try await gateway.send(
                    "/api/v1/admin/api-logs?user_uid=apikey:\(created.id)", headers: bearer(admin))).data
                if byKey.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(byKey.map(\.requestID) == ["\(requestID)-refused", requestID])  // newest first
            #expect(byKey.map(\.statusCode) == [403, 200])

            try await Task.sleep(for: .seconds(max(0, expiry.timeIntervalSinceNow) + 5))
            let refused = try await gateway.send("/api/v1/products", headers: key)
            #expect(refused.status == .unauthorized)
            #expect(errorCode(refused) == "unauthorized")
        }
    }
}
