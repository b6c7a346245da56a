import Contracts
import Foundation
import HTTPClient
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Product service: reviews")
struct ReviewTests {
    @Test func reviewsAreModeratedAndAggregated() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Books", admin: tokens.admin)
            let book = try await client.product("Novel", category: category.id, admin: tokens.admin)
            let path = "/api/v1/products/\(book.id)/reviews"
            #expect(try await client.send(path, .post, body: json(["rating": 5])).status == .unauthorized)
            #expect(try await client.send(path, .post, headers: bearer(tokens.customer), body: json(["rating": 6])).status == .unprocessableContent)
            #expect(try await client.send("/api/v1/products/9999/reviews", .post, headers: bearer(tokens.customer), body: json(["rating": 5])).status
                == .notFound)

            let created = try await client.send(path, .post, headers: bearer(tokens.customer), body: json(["rating": 4, "title": "Good", "comment": "Liked it"]))
            #expect(created.status == .created)
            let review = try decode(ReviewResponse.self, created)
            #expect(!review.isApproved)
            #expect(!review.isVerifiedPurchase)  // the Order service is not running here
            #expect(review.userUID == tokens.customerUID)
            #expect(try await client.send(path, .post, headers: bearer(tokens.customer), body: json(["rating": 2])).status == .conflict)

            // Not approved: only its author sees it.
            #expect(try decode(Page<ReviewResponse>.self, try await client.send(path, headers: bearer(tokens.otherCustomer))).data.isEmpty)
            #expect(try decode(Page<ReviewResponse>.self, try await client.send(path, headers: bearer(tokens.customer))).data.map(\.id) == [review.id])

            #expect(try await client.send("/api/v1/reviews/\(review.id)", .patch, headers: bearer(tokens.customer), body: json(["is_approved": true])).status
                == .forbidden)
            #expect(try await client.send("/api/v1/reviews/\(review.id)", .delete, headers: bearer(tokens.otherCustomer)).status == .notFound)
            let approved = try await client.send("/api/v1/reviews/\(review.id)", .patch, headers: bearer(tokens.admin), body: json(["is_approved": true]))
            #expect(try decode(ReviewResponse.self, approved).isApproved)
            _ = try await client.send(path, .post, headers: bearer(tokens.otherCustomer), body: json(["rating": 1]))

            let rated = try decode(ProductResponse.self, try await client.send("/api/v1/products/\(book.id)"))
            #expect(rated.reviewCount == 1)
            #expect(rated.ratingAverage == 4)
            #expect(try decode(Page<ReviewResponse>.self, try await client.send(path)).data.map(\.id) == [review.id])

            #expect(try await client.send("/api/v1/reviews/\(review.id)", .delete, headers: bearer(tokens.otherCustomer)).status == .forbidden)
            #expect(try await client.send("/api/v1/reviews/\(review.id)", .delete, headers: bearer(tokens.customer)).status == .noContent)
            let after = try decode(ProductResponse.self, try await client.send("/api/v1/products/\(book.id)"))
            #expect(after.reviewCount == 0)
            #expect(after.ratingAverage == 0)
        }
    }
}

@Suite("Product service: stock reservations")
struct StockTests {
    private func reserve(_ client: any TestClientProtocol, _ id: String, _ items: [(Int, Int)]) async throws -> TestResponse {
        try await client.send(
            "/internal/stock/reservations", .post, headers: internalHeaders,
            body: json(["reservation_id": id, "items": items.map { ["product_id": $0.0, "quantity": $0.1] }]))
    }

    @Test func twoHundredConcurrentReservationsOfFiftyUnitsNeverOversell() async throws {
        // Two hundred requests queue for the pool's connections: time enough for them on a busy machine.
        try await withProductService(environment: ["DB_ACQUIRE_TIMEOUT_MS": "60000"]) { client, tokens in
            let category = try await client.createCategory("Hot", admin: tokens.admin)
            let product = try await client.product("Limited", category: category.id, admin: tokens.admin, stock: 50)
            let statuses = try await sendConcurrently(200) { index in
                HTTPClientRequest(
                    method: "POST", url: "http://127.0.0.1:\(client.port!)/internal/stock/reservations",
                    headers: [("X-Internal-Token", TestCredentials.internalToken), ("Content-Type", "application/json")],
                    body: Array(#"{"reservation_id":"r-\#(index)","items":[{"product_id":\#(product.id),"quantity":1}]}"#.utf8))
            }.map(\.status)
            #expect(statuses.filter { $0 == 201 }.count == 50)
            #expect(statuses.filter { $0 == 409 }.count == 150)
            let after = try decode(ProductResponse.self, try await client.send("/api/v1/products/\(product.id)", headers: bearer(tokens.admin)))
            #expect(after.stock == 0)
            let ledger = try decode(StockLedgerSummary.self, try await client.send("/internal/stock/products/\(product.id)/ledger", headers: internalHeaders))
            #expect(ledger.sum == after.stock)
            #expect(ledger.reserved == 50)
        }
    }

    @Test func reservationsAreIdempotentAndReleasedOnce() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Gifts", admin: tokens.admin)
            let mug = try await client.product("Mug", category: category.id, admin: tokens.admin, price: "7.25", stock: 10)
            let pen = try await client.product("Pen", category: category.id, admin: tokens.admin, price: "1.10", stock: 3)

            let first = try await reserve(client, "order-1", [(mug.id, 2), (pen.id, 1)])
            #expect(first.status == .created)
            let reservation = try decode(StockReservationResponse.self, first)
            #expect(reservation.items.map(\.unitPrice) == [Money(Decimal(string: "7.25")!), Money(Decimal(string: "1.10")!)])
            #expect(reservation.items.map(\.name) == ["Mug", "Pen"])
            let replay = try await reserve(client, "order-1", [(mug.id, 2), (pen.id, 1)])
            #expect(replay.status == .ok)
            #expect(try decode(StockReservationResponse.self, replay) == reservation)
            // The same id for other items (another order reusing it) is refused, not replayed.
            for other in [[(mug.id, 3), (pen.id, 1)], [(mug.id, 2)], [(mug.id, 2), (pen.id, 1), (99_999, 1)]] {
                let reused = try await reserve(client, "order-1", other)
                #expect(reused.status == .conflict, "\(other)")
                #expect(errorCode(reused) == "conflict")
            }
            // Items in another order are the same reservation.
            #expect(try await reserve(client, "order-1", [(pen.id, 1), (mug.id, 2)]).status == .ok)

            func stock(_ id: Int) async throws -> Int {
                try decode(ProductResponse.self, try await client.send("/api/v1/products/\(id)", headers: bearer(tokens.admin))).stock
            }
            #expect(try await stock(mug.id) == 8)

            // All or nothing: the pen is short, so the mug is not taken either.
            let short = try await reserve(client, "order-2", [(mug.id, 1), (pen.id, 5)])
            #expect(short.status == .conflict)
            #expect(errorCode(short) == "insufficient_stock")
            #expect(try decode(ErrorEnvelope.self, short).error.details?["product_id"] == .number(Double(pen.id)))
            #expect(try await stock(mug.id) == 8)
            let unknown = try await reserve(client, "order-3", [(99_999, 1)])
            #expect(unknown.status == .unprocessableContent)
            #expect(errorCode(unknown) == "unknown_product")

            for _ in 0..<2 {
                let released = try await client.send("/internal/stock/reservations/order-1/release", .post, headers: internalHeaders)
                #expect(released.status == .ok)
                #expect(try decode(StockReservationResponse.self, released).status == "released")
            }
            #expect(try await stock(mug.id) == 10)
            #expect(try await stock(pen.id) == 3)

            // Released before it was ever made (a saga that gave up waiting): a late reserve takes nothing.
            let early = try await client.send("/internal/stock/reservations/order-4/release", .post, headers: internalHeaders)
            #expect(early.status == .ok)
            #expect(try decode(StockReservationResponse.self, early).items.isEmpty)
            let late = try await reserve(client, "order-4", [(mug.id, 1)])
            #expect(late.status == .ok)
            #expect(try decode(StockReservationResponse.self, late).status == "released")
            #expect(try await stock(mug.id) == 10)
            #expect(try await client.send("/internal/stock/reservations/order-1/release", .post).status == .unauthorized)
        }
    }
}

/// `GET /internal/stock/products/{id}/ledger`.
struct StockLedgerSummary: Decodable {
    var sum: Int
    var reserved: Int
}
