import Foundation
import Postgres

/// A database of its own for one test, on the server `make test` started.
public enum TestDatabase {
    /// Creates an empty database and returns a configuration for it (`maxConnections` as given).
    public static func create(_ label: String, maxConnections: Int = 20) async throws -> PostgresConfiguration {
        var admin = try TestEnvironment.adminConfiguration()
        let name = "t_\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UInt32.random(in: 0...UInt32.max))"
        let pool = PostgresPool(configuration: admin, logger: TestEnvironment.logger("test-admin"))
        defer { Task { await pool.close() } }
        // CREATE DATABASE takes no bind parameters; the name is generated above from letters and digits.
        try await pool.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        admin.database = name
        admin.maxConnections = maxConnections
        admin.minIdleConnections = 0
        return admin
    }

    /// A pool on a new database; close it at the end of the test.
    public static func pool(_ label: String, maxConnections: Int = 20) async throws -> PostgresPool {
        PostgresPool(
            configuration: try await create(label, maxConnections: maxConnections),
            logger: TestEnvironment.logger(label))
    }
}
