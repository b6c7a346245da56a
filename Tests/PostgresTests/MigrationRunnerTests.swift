import Foundation
import TestSupport
import Testing

@testable import Postgres

@Suite("Migrations")
struct MigrationRunnerTests {
    static let migrations = [
        MigrationRunner.Migration(
            version: 1, name: "0001_runs",
            sql: """
                CREATE TABLE runs (id SERIAL PRIMARY KEY, note TEXT);
                -- a function body holds semicolons: the file must run whole, not split on them
                CREATE FUNCTION add_run(label TEXT) RETURNS void AS $$
                BEGIN
                    INSERT INTO runs (note) VALUES (label);
                END;
                $$ LANGUAGE plpgsql;
                SELECT add_run('first');
                """),
        MigrationRunner.Migration(version: 2, name: "0002_second", sql: "SELECT add_run('second');"),
    ]

    @Test func concurrentStartersApplyEachMigrationExactlyOnce() async throws {
        let configuration = try await TestDatabase.create("migrate")
        let runner = try MigrationRunner(migrations: Self.migrations)
        let pools = (0..<4).map { _ in PostgresPool(configuration: configuration, logger: TestEnvironment.logger("migrate")) }
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for pool in pools {
                group.addTask { try await runner.run(on: pool, logger: TestEnvironment.logger("migrate")) }
            }
            var applied: [[Int]] = []
            for try await versions in group { applied.append(versions) }
            return applied
        }
        #expect(applied.filter { $0 == [1, 2] }.count == 1)
        #expect(applied.filter(\.isEmpty).count == 3)
        let notes = try await pools[0].query("SELECT note FROM runs ORDER BY id").map { try $0.decode("note", as: String.self) }
        #expect(notes == ["first", "second"])
        let recorded: Int = try await pools[0].query("SELECT count(*) AS n FROM schema_migrations").first!.decode("n")
        #expect(recorded == 2)
        for pool in pools { await pool.close() }
    }

    @Test func anEditedAppliedMigrationStopsStartUp() async throws {
        let pool = try await TestDatabase.pool("edited", maxConnections: 2)
        try await MigrationRunner(migrations: Self.migrations).run(on: pool, logger: TestEnvironment.logger("edited"))
        var edited = Self.migrations
        edited[1].sql = "SELECT add_run('changed');"
        let error = await #expect(throws: PostgresError.self) {
            try await MigrationRunner(migrations: edited).run(on: pool, logger: TestEnvironment.logger("edited"))
        }
        #expect(error?.kind == .migration)
        await pool.close()
    }

    @Test func theProjectsMigrationFilesApplyToEmptyDatabases() async throws {
        for folder in ["user", "product", "order", "gateway"] {
            let pool = try await TestDatabase.pool("files\(folder)", maxConnections: 2)
            let directory = TestEnvironment.repositoryRoot.appending(path: "database/migrations/\(folder)")
            let runner = try MigrationRunner(directory: directory)
            #expect(!runner.migrations.isEmpty)
            let applied = try await runner.run(on: pool, logger: TestEnvironment.logger("files"))
            #expect(applied == runner.migrations.map(\.version))
            #expect(try await runner.run(on: pool, logger: TestEnvironment.logger("files")).isEmpty)
            await pool.close()
        }
    }

    @Test func duplicateVersionsAreRejected() {
        #expect(throws: PostgresError.self) {
            try MigrationRunner(migrations: [Self.migrations[0], Self.migrations[0]])
        }
    }
}
