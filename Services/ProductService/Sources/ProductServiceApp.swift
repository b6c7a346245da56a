import Authentication
import HTTPClient
import Hummingbird
import Postgres
import ServiceKit

/// The Product service: its defaults and how its application is put together.
public enum ProductServiceApp {
    /// Port 8082; its own database on port 5433 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "product-service", port: 8082,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5433, user: "product_user", password: "product_pass", database: "product_database"),
        migrationsFolder: "product")

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
