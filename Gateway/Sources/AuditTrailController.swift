import Contracts
import Foundation
import HTTPClient
import Hummingbird
import Postgres
import ServiceKit

/// `GET /api/v1/admin/audit` (admin): the audit trails of every service's database and the
/// gateway's own, merged newest first. `?limit=&offset=` page through the merged list (to a
/// depth of ``AuditController/maxLimit``), `since`, `until` and `actor` filter every trail,
/// `service` reads one. A trail that cannot be read is 503: a partial list would hide actions.
struct AuditTrailController: Sendable {
    let pool: PostgresPool
    /// The services' internal routes, each with the audit trail of its database.
    let services: [Upstream: InternalClient]

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: list)
        return routes
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<AuditEntry> {
        _ = try context.requireAdmin()
        let query = try AuditTrail.Query(request)
        // The merged page comes from every trail's first offset + limit rows, at most maxLimit.
        let maxOffset = AuditController.maxLimit - PageRequest.maxLimit
        guard query.page.offset <= maxOffset else { throw APIError.badRequest("query parameter offset must be at most \(maxOffset)") }
        let depth = query.page.offset + query.page.limit
        let only = try request.queryChoice("service", in: ["user", "product", "order", "gateway"])
        // Each trail's first `depth` rows hold every row of the merged page.
        var deepQuery = query
        deepQuery.page = PageRequest(limit: depth, offset: 0, maxLimit: AuditController.maxLimit)!
        let deep = deepQuery
        let pages = try await withThrowingTaskGroup(of: Page<AuditEntry>.self) { group in
            if only == nil || only == "gateway" {
                group.addTask { try await AuditTrail.list(on: pool, service: "gateway", query: deep) }
            }
            for (upstream, service) in services where only == nil || only == upstream.rawValue {
                group.addTask { try await fetch(service, deep) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let merged = pages.flatMap(\.data).sorted(by: AuditEntry.newestFirst)
        return Page(
            data: Array(merged.dropFirst(query.page.offset).prefix(query.page.limit)),
            page: PageInfo(limit: query.page.limit, offset: query.page.offset, total: pages.map(\.page.total).reduce(0, +)))
    }

    private func fetch(_ service: InternalClient, _ query: AuditTrail.Query) async throws -> Page<AuditEntry> {
        var parameters = [("limit", String(query.page.limit))]
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let since = query.since { parameters.append(("since", formatter.string(from: since))) }
        if let until = query.until { parameters.append(("until", formatter.string(from: until))) }
        if let actor = query.actor { parameters.append(("actor", actor)) }
        return try await service.fetch(Page<AuditEntry>.self, service.request("GET", "/internal/audit", query: parameters), what: "audit trail")
    }
}
