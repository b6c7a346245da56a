import Contracts
import Foundation
import Postgres
import ServiceKit

/// Categories in PostgreSQL: a tree through `parent_id`, soft-deleted, slugs unique.
struct CategoryStore: Sendable {
    let pool: PostgresPool

    static let columns: StaticString = "id, name, description, parent_id, slug, sort_order, image_url, status, created_at, updated_at"

    struct Fields: Sendable {
        var name: String?
        var description: String??
        var parentID: Int??
        var slug: String?
        var sortOrder: Int?
        var imageURL: String??
        var status: String?
    }

    func list(parentID: Int?, includeInactive: Bool, page: PageRequest) async throws -> Page<CategoryResponse> {
        var condition: PostgresQuery = " WHERE deleted_at IS NULL"
        if !includeInactive { condition.append(" AND status = 'active'") }
        if let parentID { condition.append(" AND parent_id = \(parentID)") }
        return try await pool.page(
            "SELECT \(literal: Self.columns) FROM categories", counting: "categories", where: condition,
            orderBy: "sort_order, name, id", page: page, decode: Self.category)
    }

    func get(_ id: Int, includeInactive: Bool) async throws -> CategoryResponse? {
        var query: PostgresQuery = "SELECT \(literal: Self.columns) FROM categories"
        query.append(" WHERE id = \(id) AND deleted_at IS NULL")
        if !includeInactive { query.append(" AND status = 'active'") }
        return try await pool.query(query).first.map(Self.category)
    }

    func create(_ fields: Fields) async throws -> CategoryResponse {
        try await pool.withTransaction { connection in
            let parentID = fields.parentID ?? nil
            if let parentID { try await Self.requireLiveParent(parentID, on: connection) }
            let slug = try await Slug.unique(fields.slug, name: fields.name!, excluding: nil, in: "categories", on: connection)
            let description = fields.description ?? nil
            let imageURL = fields.imageURL ?? nil
            var insert = PostgresQuery(stringLiteral: "INSERT INTO categories (name, description, parent_id, slug, sort_order, image_url, status) ")
            insert.append("VALUES (\(fields.name!), \(description), \(parentID), \(slug), \(fields.sortOrder ?? 0), \(imageURL), \(fields.status ?? "active"))")
            insert.append(" RETURNING \(literal: Self.columns)")
            return try Self.category(try await connection.query(insert).first!)
        }
    }

    func update(_ id: Int, _ fields: Fields) async throws -> CategoryResponse? {
        try await pool.withTransaction { connection -> CategoryResponse? in
            var lock: PostgresQuery = "SELECT \(literal: Self.columns) FROM categories"
            lock.append(" WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE")
            guard let current = try await connection.query(lock).first.map(Self.category) else { return nil }
            let parentID = fields.parentID ?? current.parentID
            if let parentID, parentID != current.parentID {
                try await Self.requireLiveParent(parentID, on: connection)
                // The new parent must not be this category or one of its descendants.
                let ancestors = try await connection.query(
                    """
                    WITH RECURSIVE chain(id, parent_id) AS (
                        SELECT id, parent_id FROM categories WHERE id = \(parentID)
                        UNION SELECT c.id, c.parent_id FROM categories c JOIN chain ON c.id = chain.parent_id
                    ) SELECT id FROM chain
                    """
                ).map { try $0.decode("id", as: Int.self) }
                if ancestors.contains(id) { throw CatalogError.parentCycle }
            }
            let slug = fields.slug == nil ? current.slug
                : try await Slug.unique(fields.slug, name: current.name, excluding: id, in: "categories", on: connection)
            let description = fields.description ?? current.description
            let imageURL = fields.imageURL ?? current.imageURL
            var update = PostgresQuery(stringLiteral: "UPDATE categories SET ")
            update.append("name = \(fields.name ?? current.name), description = \(description), parent_id = \(parentID), ")
            update.append("slug = \(slug), sort_order = \(fields.sortOrder ?? current.sortOrder), image_url = \(imageURL), ")
            update.append("status = \(fields.status ?? current.status), updated_at = now() WHERE id = \(id)")
            update.append(" RETURNING \(literal: Self.columns)")
            return try Self.category(try await connection.query(update).first!)
        }
    }

    /// Soft delete; `false` when there is no such live category.
    func delete(_ id: Int) async throws -> Bool {
        try await pool.query("UPDATE categories SET deleted_at = now(), updated_at = now() WHERE id = \(id) AND deleted_at IS NULL")
            .affectedRows == 1
    }

    private static func requireLiveParent(_ id: Int, on connection: PostgresConnection) async throws {
        let found = try await connection.query("SELECT 1 AS found FROM categories WHERE id = \(id) AND deleted_at IS NULL")
        guard !found.isEmpty else { throw CatalogError.unknownCategory(field: "parent_id") }
    }

    static func category(_ row: PostgresRow) throws -> CategoryResponse {
        CategoryResponse(
            id: try row.decode("id"), name: try row.decode("name"), description: try row.decode("description", as: String?.self),
            parentID: try row.decode("parent_id", as: Int?.self), slug: try row.decode("slug"),
            sortOrder: try row.decode("sort_order"), imageURL: try row.decode("image_url", as: String?.self),
            status: try row.decode("status"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
