import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/products`: listing and reading for everyone (active products only, unless admin);
/// writing for admins.
struct ProductsController: Sendable {
    let store: ProductStore

    struct Body: Decodable {
        /// Longest `description` and `image_url` of a product or category, in characters (code points).
        static let maxDescription = 10_000
        static let maxImageURL = 2_048
        /// Highest `price` and `cost_price`: an order of 50 items of 100 at this price, taxed at
        /// up to 100 %, still fits the order tables' `NUMERIC(12, 2)`.
        static let maxPrice = Money(cents: 99_999_999)

        var fields = ProductStore.Fields()
        /// Amounts as sent, checked in `validated` so that three decimals is 422, not 400.
        var rawPrice: String?
        var rawCostPrice: String??

        enum CodingKeys: String, CodingKey {
            case name, description, price, stock, sku, status, tags, slug
            case categoryID = "category_id", imageURL = "image_url", isFeatured = "is_featured", costPrice = "cost_price"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fields.name = try container.decodeIfPresent(String.self, forKey: .name)
            fields.description = try container.decodePresence(String.self, forKey: .description)
            rawPrice = try Self.amount(container, .price) ?? nil
            fields.stock = try container.decodeIfPresent(Int.self, forKey: .stock)
            fields.categoryID = try container.decodeIfPresent(Int.self, forKey: .categoryID)
            fields.sku = try container.decodeIfPresent(String.self, forKey: .sku)
            fields.imageURL = try container.decodePresence(String.self, forKey: .imageURL)
            fields.status = try container.decodeIfPresent(String.self, forKey: .status)
            fields.tags = try container.decodeIfPresent([String].self, forKey: .tags)
            fields.slug = try container.decodeIfPresent(String.self, forKey: .slug)
            fields.isFeatured = try container.decodeIfPresent(Bool.self, forKey: .isFeatured)
            rawCostPrice = try Self.amount(container, .costPrice)
        }

        /// A string or a number, as text; `.some(nil)` for JSON null.
        private static func amount(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String?? {
            guard container.contains(key) else { return nil }
            if try container.decodeNil(forKey: key) { return .some(nil) }
            if let text = try? container.decode(String.self, forKey: key) { return text }
            return "\(try container.decode(Decimal.self, forKey: key))"
        }

        func validated(creating: Bool) throws -> ProductStore.Fields {
            var errors = FieldErrors()
            var fields = self.fields
            if let rawPrice {
                fields.price = Money(string: rawPrice)
                errors.check(fields.price != nil, "price", "must be an amount with at most two decimal places")
            }
            if let rawCostPrice {
                fields.costPrice = .some(rawCostPrice.flatMap(Money.init(string:)))
                errors.check(rawCostPrice == nil || fields.costPrice! != nil, "cost_price", "must be an amount with at most two decimal places")
            }
            let name = fields.name.map(FieldErrors.trimmed)
            let sku = fields.sku.map(FieldErrors.trimmed)
            if creating {
                for (field, present) in [("name", name != nil), ("price", rawPrice != nil), ("stock", fields.stock != nil),
                                         ("category_id", fields.categoryID != nil), ("sku", sku != nil)] {
                    errors.check(present, field, "is required")
                }
            }
            errors.check(name: fields.name, "name", length: 1...255, "must be 1 to 255 characters")
            errors.check(name: fields.sku, "sku", length: 1...100, "must be 1 to 100 characters")
            errors.check(fields.description ?? nil, "description", length: 0...Self.maxDescription, "must be at most \(Self.maxDescription) characters")
            errors.check(fields.imageURL ?? nil, "image_url", length: 0...Self.maxImageURL, "must be at most \(Self.maxImageURL) characters")
            errors.check(fields.price.map { $0.cents >= 0 && $0 <= Self.maxPrice } ?? true, "price", "must be from 0 to \(Self.maxPrice)")
            errors.check(fields.stock.map { (0...1_000_000_000).contains($0) } ?? true, "stock", "must be at least 0")
            if case .some(.some(let cost)) = fields.costPrice {
                errors.check(cost.cents >= 0 && cost <= Self.maxPrice, "cost_price", "must be from 0 to \(Self.maxPrice)")
            }
            errors.check(fields.categoryID.map { $0 > 0 } ?? true, "category_id", "no such category")
            errors.check(fields.status.map { ["active", "inactive", "draft", "discontinued"].contains($0) } ?? true,
                         "status", "must be active, inactive, draft or discontinued")
            errors.check(fields.tags.map { $0.count <= 20 && $0.allSatisfy { (1...50).contains(FieldErrors.length($0)) } } ?? true,
                         "tags", "at most 20 tags of 1 to 50 characters")
            errors.check(fields.slug.map(Slug.isValid) ?? true, "slug", "must be lower-case letters, digits and inner dashes")
            try errors.throwIfAny()
            var result = fields
            result.name = name
            result.sku = sku
            result.tags = fields.tags.map { Array(Set($0.map { $0.lowercased() })).sorted() }
            return result
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: list)
        routes.get(":id", use: get)
        routes.post(use: create)
        routes.patch(":id", use: update)
        routes.delete(":id", use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> ProductPage {
        let listing = ProductStore.Listing(
            categoryID: try request.queryInt("category_id", in: 1...Int(Int32.max)), text: try request.query("q").map { String($0.prefix(200)) },
            tag: try request.query("tag")?.lowercased(), minPrice: try request.queryMoney("min_price"),
            maxPrice: try request.queryMoney("max_price"), isFeatured: try request.queryBool("is_featured"),
            status: try request.queryChoice("status", in: ["active", "inactive", "draft", "discontinued"]),
            sort: try request.queryChoice("sort", in: ProductStore.sorts), page: try request.pageRequest(),
            admin: context.callerMay(.productsWrite))
        return ProductPage(page: try await store.list(listing))
    }

    /// Admins read the database; everyone else the public view, through the cache.
    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try context.id()
        if context.callerMay(.productsWrite) {
            guard let product = try await store.get(id, admin: true) else { throw APIError.notFound("product") }
            return try product.response(from: request, context: context)
        }
        guard let body = try await store.publicBody(of: id) else { throw APIError.notFound("product") }
        return .json(body)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<ProductResponse> {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        let fields = try await request.decode(as: Body.self, context: context).validated(creating: true)
        return EditedResponse(status: .created, response: try await store.create(fields))
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> ProductResponse {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        let id = try context.id()
        let fields = try await request.decode(as: Body.self, context: context).validated(creating: false)
        guard let product = try await store.update(id, fields) else { throw APIError.notFound("product") }
        return product
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        guard try await store.delete(try context.id()) else { throw APIError.notFound("product") }
        return Response(status: .noContent)
    }
}

/// Written as ``ProductResponse/jsonText``: reading a product is the catalog's hottest route, and
/// Foundation's JSON encoder was its largest single cost.
extension ProductResponse: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(ByteBuffer(string: jsonText))
    }
}

extension Response {
    /// A 200 whose body is JSON written by hand.
    static func json(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}
