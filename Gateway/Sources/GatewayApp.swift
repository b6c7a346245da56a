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

    /// Builds the gateway: shared defaults, bearer-token checks, the proxy for service prefixes,
    /// `/health` for the whole stack.
    public static func buildApplication(configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let gatewayConfiguration = try GatewayConfiguration(service: configuration)
        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            // Tokens are checked at the edge too: a forged one never reaches a service.
            router.add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier(client: client)))
            router.add(middleware: ProxyMiddleware(client: client, configuration: gatewayConfiguration))
            router.addRoutes(
                StackHealthController(
                    client: client, upstreamURLs: gatewayConfiguration.upstreamURLs,
                    gateway: HealthController(checks: [.database(dependencies.pool)])
                ).endpoints,
                atPath: "/health")
            return ServiceExtras(services: [client])
        }
    }
}
