import DocumentStore
import Postgres
import TestSupport

/// A document store on a new database with the User service's migrations applied.
func makeStore(_ label: String, maxConnections: Int = 10) async throws -> DocumentStore {
    let pool = try await TestDatabase.pool(label, maxConnections: maxConnections)
    let migrations = TestEnvironment.repositoryRoot.appending(path: "database/migrations/user")
    try await MigrationRunner(directory: migrations).run(on: pool, logger: TestEnvironment.logger(label))
    return DocumentStore(pool: pool)
}
