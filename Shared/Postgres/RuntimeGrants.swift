import Logging

/// The rights of a service's runtime role on its database, given by the owner role after the
/// migrations (so every table, including one a migration just added, is covered):
///
/// - `CONNECT` on this database for the runtime role, and for nobody else by default
///   (`PUBLIC` loses it), so a role of another service cannot get in;
/// - `USAGE` on schema `public`, never `CREATE`: no DDL;
/// - `SELECT, INSERT, UPDATE, DELETE` on each table, never `TRUNCATE`, `REFERENCES` or
///   `TRIGGER`; only `SELECT, INSERT` on an append-only table (one guarded by a trigger
///   function named `…_append_only`: the saga log, the stock ledger); only `SELECT` on
///   `schema_migrations`;
/// - `USAGE, SELECT` on the sequences, for identity columns.
///
/// Everything is revoked first, so a right given by hand or by an older version goes. The
/// statements are built by the server (`format('%I')`), so no name is quoted here.
public struct RuntimeGrants: Sendable {
    /// The runtime role (`DATABASE_URL`'s user).
    public let role: String

    public init(role: String) {
        self.role = role
    }

    static let lockKey = 7_242_002

    static let statementsSQL = """
        WITH tables AS (
            SELECT c.relname AS name,
                   EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                           WHERE t.tgrelid = c.oid AND p.proname LIKE '%\\_append\\_only') AS append_only
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
        )
        SELECT statement FROM (
            SELECT 1 AS step, format('REVOKE ALL ON DATABASE %I FROM PUBLIC, %I', current_database(), $1::text) AS statement
            UNION ALL SELECT 2, format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), $1::text)
            UNION ALL SELECT 3, format('REVOKE ALL ON SCHEMA public FROM PUBLIC, %I', $1::text)
            UNION ALL SELECT 4, format('GRANT USAGE ON SCHEMA public TO %I', $1::text)
            UNION ALL SELECT 5, format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, %I', $1::text)
            UNION ALL SELECT 6, format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, %I', $1::text)
            UNION ALL SELECT 7, format('GRANT %s ON TABLE %I TO %I',
                CASE WHEN name = 'schema_migrations' THEN 'SELECT'
                     WHEN append_only THEN 'SELECT, INSERT'
                     ELSE 'SELECT, INSERT, UPDATE, DELETE' END, name, $1::text)
                FROM tables
            UNION ALL SELECT 8, format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', $1::text)
        ) AS plan ORDER BY step, statement
        """

    /// Gives the rights, in one transaction, on a pool whose role owns the database.
    public func apply(on pool: PostgresPool, logger: Logger) async throws {
        let query = PostgresQuery(unsafeSQL: Self.statementsSQL, binds: [PostgresBind(type: String.postgresType, text: role)])
        let count = try await pool.withTransaction { connection in
            // Replicas starting together would otherwise change the same catalog rows at once
            // ("tuple concurrently updated"); one at a time, each finds the others' work done.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            let statements = try await connection.query(query).map { try $0.decode("statement", as: String.self) }
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement))
            }
            return statements.count
        }
        logger.info("runtime role's rights are in place", metadata: ["role": "\(role)", "statements": "\(count)"])
    }
}
