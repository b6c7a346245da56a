import Authentication
import HTTPClient
import Hummingbird
import Postgres
import ServiceKit

/// The Order service: its defaults and how its application is put together.
public enum OrderServiceApp {
    /// Port 8083; its own database on port 5434 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "order-service", port: 8083,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5434, user: "order_user", password: "order_pass", database: "order_database"),
        migrationsFolder: "order")

    /// Builds the application: shared defaults (health, metrics, errors), bearer tokens
    /// checked against the User service's keys, then the service's routes.
    public static func buildApplication(configuration: ServiceConfiguration) -> some ApplicationProtocol {
        buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            router.add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier(client: client)))
            return ServiceExtras(services: [client])
        }
    }
}
