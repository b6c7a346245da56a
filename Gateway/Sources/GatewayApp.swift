import Authentication
import HTTPClient
import Hummingbird
import Postgres
import ServiceKit

/// The gateway: its defaults and how its application is put together.
public enum GatewayApp {
    /// Port 8080; its own database on port 5435 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "gateway", port: 8080,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5435, user: "gateway_user", password: "gateway_pass",
            database: "gateway_database"),
        migrationsFolder: "gateway")

    /// Builds the gateway: shared defaults; at the edge, authentication (bearer tokens and API
    /// keys), rate limits and request logging; the proxy for service prefixes; `/health` for the
    /// whole stack; analytics, the admin read endpoints and the operator's page (`/admin/`).
    public static func buildApplication(configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let gatewayConfiguration = try GatewayConfiguration(service: configuration)
        Observability.describe(
            [RequestLogWriter.metricHelp, ProxyMiddleware.metricHelp, SharedRateLimiter.metricHelp, StreamLimiter.metricHelp].reduce(into: [:]) { $0.merge($1) { $1 } })
        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            let logs = RequestLogWriter(
                pool: dependencies.pool, logger: dependencies.logger, interval: gatewayConfiguration.logFlushInterval)
            let retention = RetentionJob(pool: dependencies.pool, function: "purge_expired_rows", ready: dependencies.schemaReadiness, logger: dependencies.logger)
            buildRouter(
                router,
                dependencies: GatewayDependencies(
                    pool: dependencies.pool, client: client, settings: gatewayConfiguration,
                    tokenVerifier: dependencies.tokenVerifier(client: client),
                    keys: APIKeyResolver(users: configuration.peer(.user, client: client)),
                    limiter: SharedRateLimiter(
                        url: gatewayConfiguration.rateLimits.sharedStore, timeout: gatewayConfiguration.rateLimits.sharedStoreTimeout,
                        logger: dependencies.logger),
                    logs: logs, streams: StreamLimiter(limits: gatewayConfiguration.streams),
                    peer: { configuration.peer($0.peer, client: client) },
                    dashboardDirectory: configuration.environment["DASHBOARD_DIR"] ?? "Gateway/Dashboard",
                    documentPath: OpenAPIController.path(configuration), logger: dependencies.logger))
            return ServiceExtras(services: [client, logs, retention])
        }
    }
}
