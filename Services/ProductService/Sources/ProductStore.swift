import Contracts
import Foundation
import NIOCore
import Postgres
import ServiceKit

/// Products in PostgreSQL. Every stock change, including the first, goes through the ledger
/// in the same transaction.
struct ProductStore: Sendable {
    let pool: PostgresPool
    /// The public view of products by id, told of each change this store commits.
    let cache: ProductCache

    static let columns: StaticString = """
        id, name, description, price, stock, category_id, sku, image_url, status, tags, slug, is_featured,
        cost_price, margin_percentage, rating_average, review_count, created_at, updated_at
        """

    struct Fields: Sendable {
        var name: String?
        var description: String??
        var price: Money?
        var stock: Int?
        var categoryID: Int?
        var sku: String?
        var imageURL: String??
        var status: String?
        var tags: [String]?
        var slug: String?
        var isFeatured: Bool?
        var costPrice: Money??
    }

    /// What a listing asks for.
    struct Listing: Sendable {
        var categoryID: Int?
        var text: String?
        var tag: String?
        var minPrice: Money?
        var maxPrice: Money?
        var isFeatured: Bool?
        var status: String?
        var sort: String?
        var page: PageRequest
        /// Admins see every status; others active products only.
        var admin: Bool
    }

    static let sorts = ["price", "-price", "name", "-name", "created_at", "-created_at"]

    func list(_ listing: Listing) async throws -> Page<ProductResponse> {
        var condition: PostgresQuery = " WHERE deleted_at IS NULL"
        if !listing.admin { condition.append(" AND status = 'active'") }
        if let status = listing.status { condition.append(" AND status = \(status)") }
        if let categoryID = listing.categoryID { condition.append(" AND category_id = \(categoryID)") }
        if let tag = listing.tag { condition.append(" AND tags @> \([tag])") }
        if let minPrice = listing.minPrice { condition.append(" AND price >= \(minPrice.amount)") }
        if let maxPrice = listing.maxPrice { condition.append(" AND price <= \(maxPrice.amount)") }
        if let isFeatured = listing.isFeatured { condition.append(" AND is_featured = \(isFeatured)") }
        if let text = listing.text { condition.append(" AND search_vector @@ websearch_to_tsquery('english', \(text))") }

        var select: PostgresQuery = "SELECT \(literal: Self.columns) FROM products"
        select.append(condition)
        switch listing.sort {
        case "price": select.append(" ORDER BY price, id")
        case "-price": select.append(" ORDER BY price DESC, id DESC")
        case "name": select.append(" ORDER BY name, id")
        case "-name": select.append(" ORDER BY name DESC, id DESC")
        case "created_at": select.append(" ORDER BY created_at, id")
        case "-created_at": select.append(" ORDER BY created_at DESC, id DESC")
        default:
            if let text = listing.text {
                select.append(" ORDER BY ts_rank(search_vector, websearch_to_tsquery('english', \(text))) DESC, id")
            } else {
                select.append(" ORDER BY created_at DESC, id DESC")
            }
        }
        select.append(" LIMIT \(listing.page.limit) OFFSET \(listing.page.offset)")
        var count: PostgresQuery = "SELECT count(*) AS total FROM products"
        count.append(condition)
        let rows = try await pool.query(select)
        let total: Int = try await pool.query(count).first!.decode("total")
        return Page(
            data: try rows.map { try Self.product($0, admin: listing.admin) },
            page: PageInfo(limit: listing.page.limit, offset: listing.page.offset, total: total))
    }

    func get(_ id: Int, admin: Bool) async throws -> ProductResponse? {
        var query: PostgresQuery = "SELECT \(literal: Self.columns) FROM products"
        query.append(" WHERE id = \(id) AND deleted_at IS NULL")
        if !admin { query.append(" AND status = 'active'") }
        return try await pool.query(query).first.map { try Self.product($0, admin: admin) }
    }

    /// The body of `GET /api/v1/products/{id}` for callers who are not admins (active products
    /// only), from the cache when it holds it.
    func publicBody(of id: Int) async throws -> ByteBuffer? {
        if let body = cache.body(of: id) { return body }
        let ticket = cache.ticket()
        guard let product = try await get(id, admin: false) else { return nil }
        let body = ByteBuffer(string: product.jsonText)
        cache.keep(body, of: id, ticket: ticket)
        return body
    }

    /// ``CatalogError/skuTaken`` when another product has the sku.
    func create(_ fields: Fields) async throws -> ProductResponse {
        try await Self.namingSKUConflicts { try await pool.withTransaction { connection in
            try await Self.requireLiveCategory(fields.categoryID!, on: connection)
            let slug = try await Slug.unique(fields.slug, name: fields.name!, excluding: nil, in: "products", on: connection)
            let description = fields.description ?? nil
            let imageURL = fields.imageURL ?? nil
            let costPrice = (fields.costPrice ?? nil)?.amount
            var insert: PostgresQuery = """
                INSERT INTO products (name, description, price, stock, category_id, sku, image_url, status, tags, slug,
                                      is_featured, cost_price)
                """
            insert.append(
                """
                 VALUES (\(fields.name!), \(description), \(fields.price!.amount), \(fields.stock!), \(fields.categoryID!),
                         \(fields.sku!), \(imageURL), \(fields.status ?? "active"), \(fields.tags ?? []), \(slug),
                         \(fields.isFeatured ?? false), \(costPrice))
                """)
            insert.append(" RETURNING id")
            let id: Int = try await connection.query(insert).first!.decode("id")
            try await Self.updateMargin(id, on: connection)
            if fields.stock! > 0 {
                try await StockLedger.record(product: id, delta: fields.stock!, reason: "initial", reservation: nil, on: connection)
            }
            return try await Self.fetch(id, on: connection)
        } }
    }

    /// ``CatalogError/skuTaken`` when another product has the sku.
    func update(_ id: Int, _ fields: Fields) async throws -> ProductResponse? {
        defer { cache.forget([id]) }
        return try await Self.namingSKUConflicts { try await pool.withTransaction { connection -> ProductResponse? in
            let locked = try await connection.query(
                "SELECT name, stock, slug FROM products WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE")
            guard let current = locked.first else { return nil }
            if let categoryID = fields.categoryID { try await Self.requireLiveCategory(categoryID, on: connection) }
            var update: PostgresQuery = "UPDATE products SET updated_at = now()"
            if let name = fields.name { update.append(", name = \(name)") }
            if let description = fields.description { update.append(", description = \(description)") }
            if let price = fields.price { update.append(", price = \(price.amount)") }
            if let categoryID = fields.categoryID { update.append(", category_id = \(categoryID)") }
            if let sku = fields.sku { update.append(", sku = \(sku)") }
            if let imageURL = fields.imageURL { update.append(", image_url = \(imageURL)") }
            if let status = fields.status { update.append(", status = \(status)") }
            if let tags = fields.tags { update.append(", tags = \(tags)") }
            if let isFeatured = fields.isFeatured { update.append(", is_featured = \(isFeatured)") }
            if let costPrice = fields.costPrice { update.append(", cost_price = \(costPrice?.amount)") }
            if let slug = fields.slug, slug != (try current.decode("slug", as: String.self)) {
                let unique = try await Slug.unique(slug, name: try current.decode("name"), excluding: id, in: "products", on: connection)
                update.append(", slug = \(unique)")
            }
            if let stock = fields.stock {
                let delta = stock - (try current.decode("stock", as: Int.self))
                if delta != 0 {
                    update.append(", stock = \(stock)")
                    try await StockLedger.record(product: id, delta: delta, reason: "admin_adjustment", reservation: nil, on: connection)
                }
            }
            update.append(" WHERE id = \(id)")
            try await connection.query(update)
            try await Self.updateMargin(id, on: connection)
            return try await Self.fetch(id, on: connection)
        } }
    }

    private static func namingSKUConflicts<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation && error.constraint == "products_sku_key" {
            throw CatalogError.skuTaken
        }
    }

    /// Soft delete; `false` when there is no such live product.
    func delete(_ id: Int) async throws -> Bool {
        defer { cache.forget([id]) }
        return try await pool.query("UPDATE products SET deleted_at = now(), updated_at = now() WHERE id = \(id) AND deleted_at IS NULL")
            .affectedRows == 1
    }

    private static func fetch(_ id: Int, on connection: PostgresConnection) async throws -> ProductResponse {
        var query: PostgresQuery = "SELECT \(literal: Self.columns) FROM products"
        query.append(" WHERE id = \(id)")
        return try product(try await connection.query(query).first!, admin: true)
    }

    /// `margin_percentage` follows price and cost: (price − cost) / price × 100, two places.
    private static func updateMargin(_ id: Int, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE products SET margin_percentage = CASE WHEN cost_price IS NOT NULL AND price > 0
                THEN round((price - cost_price) / price * 100, 2) END
            WHERE id = \(id)
            """)
    }

    private static func requireLiveCategory(_ id: Int, on connection: PostgresConnection) async throws {
        let found = try await connection.query("SELECT 1 AS found FROM categories WHERE id = \(id) AND deleted_at IS NULL")
        guard !found.isEmpty else { throw CatalogError.unknownCategory(field: "category_id") }
    }

    static func product(_ row: PostgresRow, admin: Bool) throws -> ProductResponse {
        ProductResponse(
            id: try row.decode("id"), name: try row.decode("name"), description: try row.decode("description", as: String?.self),
            price: try row.money("price"), stock: try row.decode("stock"), categoryID: try row.decode("category_id"),
            sku: try row.decode("sku"), imageURL: try row.decode("image_url", as: String?.self), status: try row.decode("status"),
            tags: try row.decode("tags"), slug: try row.decode("slug"), isFeatured: try row.decode("is_featured"),
            costPrice: admin && !row.isNull("cost_price") ? try row.money("cost_price") : nil,
            marginPercentage: admin ? try row.decode("margin_percentage", as: Double?.self) : nil,
            ratingAverage: try row.decode("rating_average", as: Double.self), reviewCount: try row.decode("review_count"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
