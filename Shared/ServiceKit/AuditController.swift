import Contracts
import Foundation
import Hummingbird
import Postgres

/// `GET /internal/audit`: this service's trail, for the gateway's `GET /api/v1/admin/audit`,
/// which merges every service's. Up to ``maxLimit`` rows, so the gateway can merge pages.
public struct AuditController: Sendable {
    /// The deepest the gateway reads into one service's trail (offset + limit).
    public static let maxLimit = 10_100
    let pool: PostgresPool
    let service: String

    public init(pool: PostgresPool, service: String) {
        self.pool = pool
        self.service = service
    }

    public var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get { request, _ in
            try await AuditTrail.list(on: pool, service: service, query: try AuditTrail.Query(request, maxLimit: Self.maxLimit))
        }
        return routes
    }
}
