import Foundation
import Logging

/// Applies a database's versioned migration files in order, each at most once.
///
/// Files are named `NNNN_description.sql` and run whole (several statements per file are
/// fine; nothing is split on semicolons). All pending files are applied in one transaction
/// holding an advisory lock, so services starting together apply them exactly once, and
/// each is recorded in `schema_migrations` with a checksum; an applied file that changed
/// stops start-up rather than leaving the schema in doubt.
public struct MigrationRunner: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sql: String

        /// A stable checksum of the file's text (FNV-1a, 64 bits): detects edits, not attacks.
        public var checksum: String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in sql.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return String(hash, radix: 16)
        }
    }

    /// The migrations in version order.
    public let migrations: [Migration]
    private let lockKey: Int

    /// Reads every `NNNN_*.sql` file in `directory`.
    public init(directory: URL, lockKey: Int = 7_242_001) throws {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        } catch {
            throw PostgresError(kind: .migration, message: "cannot read migrations at \(directory.path)")
        }
        var migrations: [Migration] = []
        for file in files where file.pathExtension == "sql" {
            let name = file.deletingPathExtension().lastPathComponent
            guard let version = Int(name.prefix(while: \.isNumber)) else { continue }
            let sql = try String(contentsOf: file, encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        try self.init(migrations: migrations, lockKey: lockKey)
    }

    /// Uses the given migrations; versions must be unique.
    public init(migrations: [Migration], lockKey: Int = 7_242_001) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw PostgresError(kind: .migration, message: "two migrations have version \(next.version)")
        }
        self.migrations = sorted
        self.lockKey = lockKey
    }

    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """

    /// One self-contained SQL script doing what the migrations do and recording them as
    /// applied, for `psql … < database/<db>-init.sql` as the design document shows; a
    /// service started on a database set up this way finds nothing to apply.
    public func initScript(source: String) -> String {
        var script = """
            -- Generated from \(source) (every migration, in order). Do not edit: change the
            -- migrations and regenerate with scripts/generate-init-sql.sh.
            BEGIN;
            \(Self.createTableSQL);

            """
        for migration in migrations {
            script += "-- \(migration.name)\n\(migration.sql.trimmingCharacters(in: .whitespacesAndNewlines))\n"
            script += "INSERT INTO schema_migrations (version, name, checksum) "
            script += "VALUES (\(migration.version), '\(migration.name)', '\(migration.checksum)');\n\n"
        }
        return script + "COMMIT;\n"
    }

    /// Applies what is pending. Returns the versions applied by this call.
    @discardableResult
    public func run(on pool: PostgresPool, logger: Logger) async throws -> [Int] {
        try await pool.withTransaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            try await connection.query(PostgresQuery(unsafeSQL: Self.createTableSQL))
            var applied: [Int: String] = [:]
            for row in try await connection.query("SELECT version, checksum FROM schema_migrations") {
                applied[try row.decode("version")] = try row.decode("checksum", as: String.self)
            }
            var newlyApplied: [Int] = []
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else {
                        throw PostgresError(
                            kind: .migration, message: "applied migration \(migration.name) has been edited")
                    }
                    continue
                }
                logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
                try await connection.execute(script: migration.sql)
                try await connection.query(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
                newlyApplied.append(migration.version)
            }
            return newlyApplied
        }
    }
}
