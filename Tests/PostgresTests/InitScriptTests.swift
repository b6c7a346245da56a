import Foundation
import TestSupport
import Testing

@testable import Postgres

/// The design document's init scripts (`psql … < database/<db>-init.sql`) are generated from
/// the migrations; these tests keep them in step and prove both give the same schema.
@Suite("Init scripts match the migrations")
struct InitScriptTests {
    static let scripts = [
        ("product", "product-service-init.sql"), ("order", "order-service-init.sql"), ("gateway", "gateway-init.sql"),
        ("user", "user-service-init.sql"),
    ]

    @Test(arguments: scripts)
    func theCommittedInitScriptIsTheGeneratedOne(folder: String, file: String) throws {
        let root = TestEnvironment.repositoryRoot
        let runner = try MigrationRunner(directory: root.appending(path: "database/migrations/\(folder)"))
        let generated = runner.initScript(source: "database/migrations/\(folder)")
        let path = root.appending(path: "database/\(file)")
        if ProcessInfo.processInfo.environment["UPDATE_INIT_SQL"] == "1" {
            try generated.write(to: path, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: path, encoding: .utf8)
        #expect(committed == generated, "database/\(file) is stale: run scripts/generate-init-sql.sh")
    }

    @Test(arguments: scripts)
    func initScriptAndMigrationsGiveTheSameSchema(folder: String, file: String) async throws {
        let root = TestEnvironment.repositoryRoot
        let runner = try MigrationRunner(directory: root.appending(path: "database/migrations/\(folder)"))
        let migrated = try await TestDatabase.pool("migrated\(folder)", maxConnections: 2)
        try await runner.run(on: migrated, logger: TestEnvironment.logger("init"))

        let scripted = try await TestDatabase.pool("scripted\(folder)", maxConnections: 2)
        let script = try String(contentsOf: root.appending(path: "database/\(file)"), encoding: .utf8)
        try await scripted.withConnection { try await $0.execute(script: script) }
        // A service started on a database set up by the script finds nothing to apply.
        #expect(try await runner.run(on: scripted, logger: TestEnvironment.logger("init")).isEmpty)

        #expect(try await schema(migrated) == schema(scripted))
        #expect(try await schema(migrated).count > 10)
        await migrated.close()
        await scripted.close()
    }

    private func schema(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query(
            """
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS item
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL SELECT tgname FROM pg_trigger WHERE NOT tgisinternal
            ORDER BY 1
            """
        ).map { try $0.decode("item", as: String.self) }
    }
}
