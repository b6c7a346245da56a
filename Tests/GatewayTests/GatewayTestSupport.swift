import Foundation
import Gateway
import Postgres
import ServiceKit
import TestSupport

/// A service configuration for a test: its own database, port 0, the repository's migrations.
func testConfiguration(
    _ defaults: ServiceConfiguration.Defaults, database: PostgresConfiguration, environment: [String: String] = [:]
) throws -> ServiceConfiguration {
    let migrations = TestEnvironment.repositoryRoot.appending(path: "database/migrations/\(defaults.migrationsFolder)")
    return try ServiceConfiguration(
        defaults: defaults,
        environment: [
            "PORT": "0", "DATABASE_URL": database.url, "DB_MAX_CONNECTIONS": "4", "MIGRATIONS_DIR": migrations.path,
            "DOCUMENT_INDEXES_FILE": TestEnvironment.repositoryRoot.appending(path: "database/document-indexes.json").path,
        ].merging(environment) { $1 })
}

/// The gateway with every upstream pointing at `baseURL` unless `environment` says otherwise.
func gatewayConfiguration(upstream baseURL: String, environment: [String: String] = [:]) async throws -> ServiceConfiguration {
    try testConfiguration(
        GatewayApp.defaults, database: try await TestDatabase.create("gateway"),
        environment: ["USER_SERVICE_URL": baseURL, "PRODUCT_SERVICE_URL": baseURL, "ORDER_SERVICE_URL": baseURL]
            .merging(environment) { $1 })
}
