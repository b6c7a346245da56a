import Contracts
import Foundation
import Postgres
import ServiceKit

/// Product reviews; the product's `rating_average` and `review_count` (approved reviews only)
/// are recomputed in the same transaction as every change that could move them.
struct ReviewStore: Sendable {
    let pool: PostgresPool
    /// Told of each product whose aggregates changed, once the change is committed.
    let cache: ProductCache

    static let columns: StaticString = """
        id, product_id, user_uid, order_id, rating, title, comment, is_verified_purchase, is_approved, created_at, updated_at
        """

    /// Approved reviews, plus the caller's own whatever their state; newest first.
    func list(product: Int, viewer: String?, page: PageRequest) async throws -> Page<ReviewResponse> {
        let condition: PostgresQuery =
            " WHERE product_id = \(product) AND deleted_at IS NULL AND (is_approved OR user_uid = \(viewer ?? ""))"
        return try await pool.page(
            "SELECT \(literal: Self.columns) FROM product_reviews", counting: "product_reviews", where: condition,
            orderBy: "created_at DESC, id DESC", page: page, decode: Self.review)
    }

    /// Every review a user wrote that is not deleted, approved or not, newest first (their data export).
    func written(by user: String) async throws -> [ReviewResponse] {
        var query: PostgresQuery = "SELECT \(literal: Self.columns) FROM product_reviews"
        query.append(" WHERE user_uid = \(user) AND deleted_at IS NULL ORDER BY created_at DESC, id DESC")
        return try await pool.query(query).map(Self.review)
    }

    /// 409 `conflict` when the user already reviewed the product.
    func create(
        product: Int, user: String, orderID: Int?, rating: Int, title: String?, comment: String?, verified: Bool
    ) async throws -> ReviewResponse {
        var insert: PostgresQuery = """
            INSERT INTO product_reviews (product_id, user_uid, order_id, rating, title, comment, is_verified_purchase)
            VALUES (\(product), \(user), \(orderID), \(Int32(rating)), \(title), \(comment), \(verified))
            """
        insert.append(" RETURNING \(literal: Self.columns)")
        do {
            return try Self.review(try await pool.query(insert).first!)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw CatalogError.alreadyReviewed
        }
    }

    func get(_ id: Int) async throws -> ReviewResponse? {
        var query: PostgresQuery = "SELECT \(literal: Self.columns) FROM product_reviews"
        query.append(" WHERE id = \(id) AND deleted_at IS NULL")
        return try await pool.query(query).first.map(Self.review)
    }

    func setApproved(_ id: Int, _ approved: Bool) async throws -> ReviewResponse? {
        let review = try await pool.withTransaction { connection -> ReviewResponse? in
            var update: PostgresQuery = "UPDATE product_reviews SET is_approved = \(approved), updated_at = now() WHERE id = \(id) AND deleted_at IS NULL"
            update.append(" RETURNING \(literal: Self.columns)")
            guard let row = try await connection.query(update).first else { return nil }
            let review = try Self.review(row)
            try await Self.refreshAggregates(review.productID, on: connection)
            return review
        }
        if let review { cache.forget([review.productID]) }
        return review
    }

    func delete(_ id: Int) async throws -> Bool {
        let product = try await pool.withTransaction { connection -> Int? in
            let rows = try await connection.query(
                "UPDATE product_reviews SET deleted_at = now(), updated_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING product_id")
            guard let product: Int = try rows.first?.decode("product_id") else { return nil }
            try await Self.refreshAggregates(product, on: connection)
            return product
        }
        guard let product else { return false }
        cache.forget([product])
        return true
    }

    private static func refreshAggregates(_ product: Int, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE products SET
                rating_average = coalesce((SELECT round(avg(rating), 2) FROM product_reviews
                                           WHERE product_id = \(product) AND is_approved AND deleted_at IS NULL), 0),
                review_count = (SELECT count(*) FROM product_reviews
                                WHERE product_id = \(product) AND is_approved AND deleted_at IS NULL)
            WHERE id = \(product)
            """)
    }

    static func review(_ row: PostgresRow) throws -> ReviewResponse {
        ReviewResponse(
            id: try row.decode("id"), productID: try row.decode("product_id"), userUID: try row.decode("user_uid"),
            orderID: try row.decode("order_id", as: Int?.self), rating: Int(try row.decode("rating", as: Int32.self)),
            title: try row.decode("title", as: String?.self), comment: try row.decode("comment", as: String?.self),
            isVerifiedPurchase: try row.decode("is_verified_purchase"), isApproved: try row.decode("is_approved"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
