import Hummingbird
import Postgres
import ServiceKit

/// The User service: its defaults and how its application is put together.
public enum UserServiceApp {
    /// Port 8081; its own database on port 5436 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "user-service", port: 8081,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5436, user: "user_user", password: "user_pass", database: "user_database"),
        migrationsFolder: "user")

    /// Builds the application: shared defaults (health, metrics, errors), then the service's routes.
    public static func buildApplication(configuration: ServiceConfiguration) -> some ApplicationProtocol {
        buildServiceApplication(configuration: configuration) { _, _ in [] }
    }
}
