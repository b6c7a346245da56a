import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// Length limits count code points: a single "character" of 100,000 combining marks is not short.
@Suite("Product service: length limits")
struct TextLimitTests {
    @Test func aReviewCommentOfOneCharacterAndAHundredThousandCodePointsIsRefused() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Limits", admin: tokens.admin)
            let product = try await client.product("Limited", category: category.id, admin: tokens.admin)
            let path = "/api/v1/products/\(product.id)/reviews"
            let clustered = "x" + String(repeating: "\u{308}", count: 100_000)
            #expect(clustered.count == 1)
            let refused = try await client.send(path, .post, headers: bearer(tokens.customer), body: json(["rating": 4, "comment": clustered]))
            #expect(refused.status == .unprocessableContent)
            let title = try await client.send(
                path, .post, headers: bearer(tokens.customer), body: json(["rating": 4, "title": String(repeating: "e\u{301}", count: 128)]))
            #expect(title.status == .unprocessableContent)
            #expect(try await client.send(path, .post, headers: bearer(tokens.customer), body: json(["rating": 4, "comment": String(repeating: "ü", count: 5000)]))
                .status == .created)
        }
    }

    @Test func namesDescriptionsAndImageURLsHaveLimits() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Described", admin: tokens.admin)
            func create(_ extra: [String: Any]) async throws -> HTTPResponse.Status {
                var fields: [String: Any] = [
                    "name": "Lamp", "price": "10.00", "stock": 1, "category_id": category.id, "sku": "L-\(UUID().uuidString.prefix(8))",
                ]
                fields.merge(extra) { $1 }
                return try await client.createProduct(fields, admin: tokens.admin).status
            }
            #expect(try await create(["name": "n" + String(repeating: "\u{301}", count: 255)]) == .unprocessableContent)
            #expect(try await create(["description": String(repeating: "d", count: 10_001)]) == .unprocessableContent)
            #expect(try await create(["description": String(repeating: "d", count: 10_000)]) == .created)
            #expect(try await create(["image_url": "https://example.com/" + String(repeating: "i", count: 2_048)]) == .unprocessableContent)
            let category2 = try await client.send(
                "/api/v1/categories", .post, headers: bearer(tokens.admin),
                body: json(["name": "C", "description": String(repeating: "d", count: 10_001)]))
            #expect(category2.status == .unprocessableContent)
        }
    }
}
