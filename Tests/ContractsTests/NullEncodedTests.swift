import Contracts
import Foundation
import Testing

@Suite("Optional fields in responses")
struct NullEncodedTests {
    let category = CategoryResponse(
        id: 1, name: "Tea", description: nil, parentID: nil, slug: "tea", sortOrder: 0, imageURL: nil, status: "active",
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))

    func object(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try contractEncoder.encode(value)) as? [String: Any])
    }

    @Test func emptyFieldsAreWrittenAsNull() throws {
        let fields = try object(category)
        for key in ["description", "parent_id", "image_url"] {
            #expect(fields[key] is NSNull, "\(key) should be null")
        }
        var described = category
        described.description = "Leaves"
        #expect(try object(described)["description"] as? String == "Leaves")
    }

    @Test func fieldsOnlyAdminsSeeAreLeftOutWhenEmpty() throws {
        let product = ProductResponse(
            id: 1, name: "Kettle", description: nil, price: Money(cents: 1999), stock: 1, categoryID: 1, sku: "K-1", imageURL: nil,
            status: "active", tags: [], slug: "kettle", isFeatured: false, costPrice: nil, marginPercentage: nil, ratingAverage: 0,
            reviewCount: 0, createdAt: Date(), updatedAt: Date())
        let fields = try object(product)
        #expect(fields["image_url"] is NSNull)
        #expect(fields["cost_price"] == nil && fields["margin_percentage"] == nil)
    }

    @Test func aMissingOrNullKeyDecodesAsNil() throws {
        let written = try contractEncoder.encode(category)
        #expect(try contractDecoder.decode(CategoryResponse.self, from: written) == category)
        var fields = try object(category)
        fields.removeValue(forKey: "description")
        let decoded = try contractDecoder.decode(CategoryResponse.self, from: try JSONSerialization.data(withJSONObject: fields))
        #expect(decoded.description == nil)
    }
}
