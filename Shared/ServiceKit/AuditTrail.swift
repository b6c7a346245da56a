import Contracts
import Foundation
import Hummingbird
import Postgres

/// A service's side of the audit trail. The rows are written by triggers in the database
/// (`database/migrations/shared/audit_log.sql`), which record a change only when the
/// connection names an actor; ``withActor(_:requestID:_:)`` names it for the requests of an
/// admin or an API key. Reading is ``AuditTrail/list(on:service:query:)``.
public enum AuditTrail {
    /// Runs `body` (the rest of a request) with its database work attributed to `principal`
    /// when that is an admin or an API key; a customer's own actions are not admin actions.
    public static func withActor<Result>(
        _ principal: Principal, requestID: String, _ body: () async throws -> Result
    ) async throws -> Result {
        guard principal.isAdmin || principal.isAPIKey else { return try await body() }
        let settings = [
            "ecommerce.actor": principal.uid, "ecommerce.actor_role": principal.isAPIKey ? "api_key" : "admin",
            "ecommerce.request_id": requestID,
        ]
        return try await PostgresSessionSettings.$current.withValue(settings) { try await body() }
    }

    /// What to read: newest first, `limit` rows from `offset`, optionally within `[since, until)`
    /// and by one actor.
    public struct Query: Sendable {
        public var page: PageRequest
        public var since: Date?
        public var until: Date?
        public var actor: String?

        public init(page: PageRequest, since: Date? = nil, until: Date? = nil, actor: String? = nil) {
            self.page = page
            self.since = since
            self.until = until
            self.actor = actor
        }

        /// `?limit=&offset=&since=&until=&actor=` (400 for values out of bounds).
        public init(_ request: Request, maxLimit: Int = PageRequest.maxLimit) throws {
            guard let page = PageRequest(
                limit: try request.queryInt("limit", in: 1...maxLimit), offset: try request.queryInt("offset", in: 0...PageRequest.maxOffset),
                maxLimit: maxLimit)
            else { throw APIError.badRequest("limit must be 1 to \(maxLimit)") }
            self.init(page: page, since: try request.queryDate("since"), until: try request.queryDate("until"), actor: try request.query("actor"))
        }
    }

    /// One page of this database's trail, with the number of rows matching.
    public static func list(on pool: PostgresPool, service: String, query: Query) async throws -> Page<AuditEntry> {
        var condition: PostgresQuery = " WHERE TRUE"
        if let since = query.since { condition.append(" AND occurred_at >= \(since)") }
        if let until = query.until { condition.append(" AND occurred_at < \(until)") }
        if let actor = query.actor { condition.append(" AND actor = \(actor)") }
        let select: PostgresQuery = """
            SELECT id, occurred_at, actor, actor_role, action, resource, resource_id, before::text AS before,
                   after::text AS after, request_id FROM audit_log
            """
        return try await pool.page(
            select, counting: "audit_log", where: condition, orderBy: "occurred_at DESC, id DESC", page: query.page
        ) { row in
            AuditEntry(
                id: try row.decode("id"), service: service, occurredAt: try row.decode("occurred_at"), actor: try row.decode("actor"),
                actorRole: try row.decode("actor_role", as: String?.self), action: try row.decode("action"),
                resource: try row.decode("resource"), resourceID: try row.decode("resource_id", as: String?.self),
                before: try json(row.decode("before", as: String?.self)), after: try json(row.decode("after", as: String?.self)),
                requestID: try row.decode("request_id", as: String?.self))
        }
    }

    private static func json(_ text: String?) throws -> JSONValue? {
        try text.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }
}
