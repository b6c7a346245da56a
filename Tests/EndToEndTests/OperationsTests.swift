import Foundation
import TestSupport
import Testing

/// The database operations of `scripts/ops.sh` (make db-init, backup, restore, …) on a
/// PostgreSQL server of the test's own, laid out like the stack's product database.
@Suite("Operations: init, counts, backup and restore, health, slow-query log")
struct OperationsTests {
    @Test func aBackupRestoresTheDataAsItWas() async throws {
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let directory = "\(base)/pg-ops-\(UUID().uuidString.prefix(8))"
        let port = try await ShellCommand.bash("source scripts/lib.sh && start_scratch_server '\(directory)'")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        defer { Task { _ = try? await ShellCommand.bash("source scripts/lib.sh && stop_cluster '\(directory)/data'") } }
        let environment = ["PRODUCT_DB_PORT": port, "STACK_DIR": "\(directory)/stack", "BACKUP_DIR": "\(directory)/backups"]
        @discardableResult func ops(_ arguments: String) async throws -> String {
            try await ShellCommand.bash("bash scripts/ops.sh \(arguments)", environment: environment)
        }
        @discardableResult func sql(_ statement: String) async throws -> String {
            try await ShellCommand.bash(
                "psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p \(port) -U product_user -d product_database -c \"\(statement)\"")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try await ShellCommand.bash("source scripts/lib.sh && ensure_database \(port) product_database product_user product_pass")

        try await ops("init product")
        #expect(try await ops("health product").contains("product: accepting connections"))
        try await sql("INSERT INTO categories (name, slug) VALUES ('Kitchen', 'kitchen')")
        try await sql(
            "INSERT INTO products (name, price, stock, category_id, sku, slug) SELECT 'Kettle', 24.50, 7, id, 'K-1', 'kettle' FROM categories")
        let counts = try await ops("counts product")
        #expect(counts.range(of: #"products\s+1\n"#, options: .regularExpression) != nil, "\(counts)")
        #expect(counts.range(of: #"categories\s+1\n"#, options: .regularExpression) != nil)

        let output = try await ops("backup product")
        let backup = try #require(output.split(separator: "\n").map(String.init).first { $0.hasSuffix(".sql") }, "\(output)")
        #expect(backup.range(of: #"/backup_product_\d{8}-\d{6}\.sql$"#, options: .regularExpression) != nil, "\(backup)")
        // A server that is not the stack's and archives no WAL gets no base backup, and says so.
        #expect(output.contains("no base backup"), "\(output)")
        let before = try await sql("SELECT name || ':' || price || ':' || stock FROM products")

        try await sql("UPDATE products SET stock = 0, price = 1")
        try await sql("INSERT INTO categories (name, slug) VALUES ('Garden', 'garden')")
        try await ops("restore product '\(backup)'")
        #expect(try await sql("SELECT name || ':' || price || ':' || stock FROM products") == before)
        #expect(try await sql("SELECT string_agg(name, ',') FROM categories") == "Kitchen")
        // The migration record came back too, so the service starts on it without re-migrating.
        let migrations = try FileManager.default.contentsOfDirectory(
            atPath: TestEnvironment.repositoryRoot.appending(path: "database/migrations/product").path
        ).filter { $0.hasSuffix(".sql") }
        #expect(try await sql("SELECT count(*) FROM schema_migrations") == String(migrations.count))

        // The runbook's reads.
        #expect(try await ops("tables product").contains("stock_movements"))
        let sizes = try await ops("sizes product")
        #expect(sizes.contains("product: ") && sizes.contains("products"), "\(sizes)")
        #expect(try await ops("index-usage product").contains("products_sku_key"))
        #expect(try await ops("connections product").contains("product (product_database):"))
        #expect(try await ops("recent product").contains("Kettle"))
        // EXPLAIN ANALYZE runs the statement, and rolls it back.
        let plan = try await ops("explain product 'UPDATE products SET stock = 99'")
        #expect(plan.contains("Update on products") && plan.contains("actual time"), "\(plan)")
        #expect(try await sql("SELECT stock FROM products") == "7")
        #expect(try await ops("vacuum product").contains("VACUUM (ANALYZE) done"))

        // Clearing test data asks for CONFIRM=yes, then empties all but the migration record
        // and the audit trail, with the sequences restarted.
        await #expect(throws: (any Error).self) { try await ops("clear-test-data product") }
        #expect(try await sql("SELECT count(*) FROM products") == "1")
        try await ShellCommand.bash(
            "CONFIRM=yes bash scripts/ops.sh clear-test-data product", environment: environment)
        #expect(try await sql("SELECT count(*) FROM products") == "0")
        #expect(try await sql("SELECT count(*) > 0 FROM schema_migrations") == "t")
        #expect(try await sql("INSERT INTO categories (name, slug) VALUES ('Again', 'again') RETURNING id") == "1")

        try await ops("reset product")
        #expect(try await sql("SELECT count(*) FROM products") == "0")

        #expect(try await ops("slow-log on 150 product").contains("log_min_duration_statement = 150ms"))
        #expect(try await ops("slow-log off 0 product").contains("log_min_duration_statement = -1"))
    }
}
