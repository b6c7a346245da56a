import Authentication
import HTTPClient
import Hummingbird
import Logging
import Postgres
import ServiceKit

/// What the gateway's middleware and routes are built from: made from the configuration by
/// ``GatewayApp/buildApplication(configuration:)``, or by a test.
struct GatewayDependencies: Sendable {
    /// The pool on the gateway database.
    var pool: PostgresPool
    /// The libcurl client the proxy and the health and document checks use.
    var client: CurlHTTPClient
    var settings: GatewayConfiguration
    var tokenVerifier: TokenVerifier
    var keys: APIKeyResolver
    var limiter: SharedRateLimiter
    var logs: RequestLogWriter
    /// Counts the event streams open through this replica.
    var streams: StreamLimiter
    /// A client of each service's `/internal/…` routes (audit trails, the dashboard's order figures).
    var peer: @Sendable (Upstream) -> InternalClient
    /// The operator's page's files (`DASHBOARD_DIR`).
    var dashboardDirectory: String
    /// The gateway's own OpenAPI document, merged with the services'.
    var documentPath: String
    var logger: Logger
}

extension GatewayApp {
    /// Adds the edge (authentication, rate limits, request logs), the proxy for the services'
    /// prefixes, `/health` for the whole stack, analytics, the admin read routes, the operator's
    /// page and the merged `/openapi.json` to `router`.
    static func buildRouter(_ router: Router<ServiceRequestContext>, dependencies: GatewayDependencies) {
        let pool = dependencies.pool, client = dependencies.client, settings = dependencies.settings
        router.add(middleware: EdgeMiddleware(
            verifier: dependencies.tokenVerifier, keys: dependencies.keys, limiter: dependencies.limiter, logs: dependencies.logs,
            limits: settings.rateLimits))
        router.add(middleware: ProxyMiddleware(client: client, configuration: settings, streams: dependencies.streams))
        router.addRoutes(
            StackHealthController(client: client, upstreamURLs: settings.upstreamURLs, gateway: HealthController(checks: [.database(pool)]))
                .endpoints,
            atPath: "/health")
        router.addRoutes(AnalyticsController(pool: pool).endpoints, atPath: "/api/v1/analytics")
        router.addRoutes(AdminController(pool: pool).endpoints, atPath: "/api/v1/admin")
        let services = Dictionary(uniqueKeysWithValues: Upstream.allCases.map { ($0, dependencies.peer($0)) })
        router.addRoutes(AuditTrailController(pool: pool, services: services).endpoints, atPath: "/api/v1/admin/audit")
        router.addRoutes(
            DashboardController(pool: pool, orderService: dependencies.peer(.order)).endpoints, atPath: "/api/v1/admin/dashboard")
        router.addRoutes(DashboardPage(directory: dependencies.dashboardDirectory, logger: dependencies.logger).endpoints, atPath: "/admin")
        router.addRoutes(
            MergedOpenAPIController(
                client: client, upstreamURLs: Array(settings.upstreamURLs.values).sorted(), documentPath: dependencies.documentPath,
                logger: dependencies.logger
            ).endpoints,
            atPath: "/openapi.json")
    }
}
