import Foundation
import Postgres
import ServiceKit

/// A service's configuration for a test: its own new database, port 0, the repository's
/// migrations and document indexes, an internal token, a bootstrap admin, and the database
/// timeouts of a busy test run (`TestEnvironment.slowMachineDatabaseTimeout`).
public func serviceTestConfiguration(
    _ defaults: ServiceConfiguration.Defaults, environment: [String: String] = [:]
) async throws -> ServiceConfiguration {
    let database = try await TestDatabase.create(defaults.migrationsFolder)
    let root = TestEnvironment.repositoryRoot
    return try ServiceConfiguration(
        defaults: defaults,
        environment: [
            "PORT": "0", "DATABASE_URL": database.url, "DB_MAX_CONNECTIONS": "8", "LOG_LEVEL": "error",
            "DB_CONNECT_TIMEOUT_SECONDS": String(TestEnvironment.slowMachineDatabaseTimeout),
            "DB_ACQUIRE_TIMEOUT_MS": String(TestEnvironment.slowMachineDatabaseTimeout * 1000),
            "MIGRATIONS_DIR": root.appending(path: "database/migrations/\(defaults.migrationsFolder)").path,
            "DOCUMENT_INDEXES_FILE": root.appending(path: "database/document-indexes.json").path,
            "OPENAPI_FILE": root.appending(path: "docs/openapi/\(defaults.name).json").path,
            "INTERNAL_TOKEN": TestCredentials.internalToken,
            "BOOTSTRAP_ADMIN_EMAIL": TestCredentials.adminEmail, "BOOTSTRAP_ADMIN_PASSWORD": TestCredentials.adminPassword,
        ].merging(environment) { $1 })
}

/// The credentials ``serviceTestConfiguration(_:environment:)`` sets up.
public enum TestCredentials {
    public static let adminEmail = "admin@example.com"
    public static let adminPassword = "admin-password-1"
    public static let internalToken = "test-internal-token"
}
