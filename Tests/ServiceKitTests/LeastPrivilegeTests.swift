import Foundation
import Postgres
import ServiceKit
import TestSupport
import Testing

/// `MIGRATION_DATABASE_URL` (the owner role) and `DATABASE_URL` (the runtime role) on real
/// databases with the repository's order and product migrations: the owner migrates and
/// gives the runtime role DML on its own tables only.
@Suite("Least privilege: an owner role migrates, the runtime role gets DML only")
struct LeastPrivilegeTests {
    /// One service's database: its owner, its runtime role, its migrations.
    struct ServiceDatabase {
        let name: String
        let owner: String
        let runtime: String
        let folder: String
    }

    @Test func theRuntimeRoleCannotChangeTheSchemaTheLogsOrAnotherServicesDatabase() async throws {
        let admin = PostgresPool(configuration: try TestEnvironment.adminConfiguration(), logger: TestEnvironment.logger("least-privilege"))
        let tag = UInt32.random(in: 0...UInt32.max)
        let order = ServiceDatabase(name: "lp_order_\(tag)", owner: "lp_order_owner_\(tag)", runtime: "lp_order_app_\(tag)", folder: "order")
        let product = ServiceDatabase(
            name: "lp_product_\(tag)", owner: "lp_product_owner_\(tag)", runtime: "lp_product_app_\(tag)", folder: "product")
        var pools: [PostgresPool] = []
        do {
            for database in [order, product] {
                // The names are made above from letters, digits and underscores (DDL takes no binds).
                for role in [database.owner, database.runtime] {
                    try await admin.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN"))
                }
                try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database.name) OWNER \(database.owner)"))
                // Three replicas starting at once, then a restart: each finds the others' work done.
                pools += try await withThrowingTaskGroup(of: PostgresPool.self) { group in
                    for _ in 0..<3 { group.addTask { try await startUp(database) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                pools.append(try await startUp(database))
            }
            let orders = try await pool(order.runtime, on: order.name)
            let products = try await pool(product.runtime, on: product.name)
            pools += [orders, products]

            // What the service needs: reading and writing its own tables, appending to its logs.
            try await orders.query("SELECT count(*) FROM orders")
            try await orders.query("UPDATE orders SET status = status")
            try await orders.query("DELETE FROM order_items WHERE false")
            #expect(try await privileges(orders, "order_saga_events") == "SELECT,INSERT")
            #expect(try await privileges(products, "stock_movements") == "SELECT,INSERT")
            #expect(try await privileges(products, "products") == "SELECT,INSERT,UPDATE,DELETE")
            #expect(try await privileges(products, "schema_migrations") == "SELECT")
            #expect(try await privileges(orders, "audit_log") == "SELECT,INSERT")
            try await products.query(
                "INSERT INTO categories (name, slug) VALUES ('Kitchen', \("kitchen-\(tag)")) RETURNING id")

            // What it may not do: DDL, TRUNCATE, changing an append-only log or the migration record.
            for statement in [
                "DROP TABLE orders", "ALTER TABLE orders ADD COLUMN extra INTEGER", "TRUNCATE orders", "CREATE TABLE extra (id INTEGER)",
                "UPDATE order_saga_events SET action = action", "DELETE FROM order_saga_events", "UPDATE schema_migrations SET name = name",
                "CREATE INDEX extra ON orders (id)", "DROP TRIGGER order_saga_events_no_change ON order_saga_events",
                "UPDATE audit_log SET actor = actor", "DELETE FROM audit_log", "TRUNCATE audit_log", "DROP TRIGGER orders_audit ON orders",
            ] {
                let error = await #expect(throws: PostgresError.self, "\(statement)") {
                    try await orders.query(PostgresQuery(unsafeSQL: statement))
                }
                #expect(error?.sqlState == .insufficientPrivilege, "\(statement): \(String(reflecting: error))")
            }
            for statement in ["TRUNCATE stock_movements", "UPDATE stock_movements SET quantity_delta = 0", "DROP TABLE products"] {
                let error = await #expect(throws: PostgresError.self, "\(statement)") {
                    try await products.query(PostgresQuery(unsafeSQL: statement))
                }
                #expect(error?.sqlState == .insufficientPrivilege, "\(statement): \(String(reflecting: error))")
            }

            // The audit trail: a change is recorded when the connection names an actor, and
            // the runtime role's purge call (the owner's function) removes nothing younger than a year.
            try await products.query("UPDATE categories SET name = 'Kitchen' WHERE slug = \("kitchen-\(tag)")")
            try await PostgresSessionSettings.$current.withValue(["ecommerce.actor": "admin-\(tag)", "ecommerce.actor_role": "admin"]) {
                try await products.query("UPDATE categories SET name = 'Cookware' WHERE slug = \("kitchen-\(tag)")")
            }
            let audit = try await products.query(
                "SELECT actor || ' ' || action || ' ' || resource || ' ' || (before->>'name') || '>' || (after->>'name') AS line FROM audit_log")
            let lines = try audit.map { try $0.decode("line", as: String?.self) ?? "(null)" }
            #expect(lines == ["admin-\(tag) update categories Kitchen>Cookware"], "\(lines)")
            #expect(try await products.query("SELECT purge_expired_audit(100) AS n").first?.decode("n", as: Int.self) == 0)
            #expect(try await products.query("SELECT count(*) AS n FROM audit_log").first?.decode("n", as: Int.self) == 1)

            // Neither runtime role gets into the other service's database.
            for (role, database) in [(product.runtime, order.name), (order.runtime, product.name)] {
                let stranger = try await pool(role, on: database)
                pools.append(stranger)
                let error = await #expect(throws: PostgresError.self, "\(role) on \(database)") { try await stranger.query("SELECT 1") }
                #expect(error?.message.contains("permission denied for database") == true, "\(String(reflecting: error))")
            }
        } catch {
            await cleanUp(admin, pools, [order, product])
            throw error
        }
        await cleanUp(admin, pools, [order, product])
    }

    /// A service's start-up schema step with both URLs, as `MIGRATION_DATABASE_URL` and `DATABASE_URL` give them.
    private func startUp(_ database: ServiceDatabase) async throws -> PostgresPool {
        let server = try TestEnvironment.adminConfiguration()
        let migrations = TestEnvironment.repositoryRoot.appending(path: "database/migrations/\(database.folder)").path
        let configuration = try ServiceConfiguration(
            defaults: .init(name: "\(database.folder)-service", port: 0, database: server, migrationsFolder: database.folder),
            environment: [
                "DATABASE_URL": "postgres://\(database.runtime)@127.0.0.1:\(server.port)/\(database.name)",
                "MIGRATION_DATABASE_URL": "postgres://\(database.owner)@127.0.0.1:\(server.port)/\(database.name)",
                "MIGRATIONS_DIR": migrations,
            ])
        #expect(configuration.migrationDatabase?.user == database.owner)
        let runtime = PostgresPool(configuration: configuration.database, logger: TestEnvironment.logger("least-privilege"))
        try await prepareSchema(configuration: configuration, schemaTasks: [], runtimePool: runtime, logger: TestEnvironment.logger("least-privilege"))
        return runtime
    }

    private func pool(_ role: String, on database: String) async throws -> PostgresPool {
        var configuration = try TestEnvironment.adminConfiguration()
        configuration.user = role
        configuration.database = database
        configuration.minIdleConnections = 0
        configuration.maxConnections = 2
        return PostgresPool(configuration: configuration, logger: TestEnvironment.logger("least-privilege"))
    }

    /// The rights the pool's role has on a table, in a fixed order.
    private func privileges(_ pool: PostgresPool, _ table: String) async throws -> String {
        let rows = try await pool.query(
            """
            SELECT string_agg(p, ',' ORDER BY o) AS rights
            FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) WITH ORDINALITY AS r (p, o)
            WHERE has_table_privilege(\(table), p)
            """)
        return try rows.first?.decode("rights", as: String?.self) ?? ""
    }

    private func cleanUp(_ admin: PostgresPool, _ pools: [PostgresPool], _ databases: [ServiceDatabase]) async {
        for pool in pools { await pool.close() }
        for database in databases {
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)"))
            for role in [database.owner, database.runtime] {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(role)"))
            }
        }
        await admin.close()
    }
}
