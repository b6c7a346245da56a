import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// How close the service's database server is to its connection limit, read every `interval`:
/// `db_server_connections{database}` (client connections to the whole server, every
/// replica's and everyone else's) against `db_server_connections_max{database}`
/// (`max_connections` less the slots kept for superusers). A pool sees only its own share.
public struct DatabaseServerMetrics: Service {
    let pool: PostgresPool
    let ready: SchemaReadiness
    let logger: Logger
    var interval: Duration = .seconds(15)

    public static let help = [
        "db_server_connections": "Client connections to the database server, from every process.",
        "db_server_connections_max": "Connections the database server accepts from ordinary roles.",
    ]

    public init(pool: PostgresPool, ready: SchemaReadiness, logger: Logger) {
        self.pool = pool
        self.ready = ready
        self.logger = logger
    }

    public func run() async throws {
        let dimensions = [("database", pool.configuration.database)]
        let connections = Gauge(label: "db_server_connections", dimensions: dimensions)
        let limit = Gauge(label: "db_server_connections_max", dimensions: dimensions)
        await repeatUntilStopped(every: interval, after: ready) {
            do {
                let rows = try await pool.query(
                    """
                    SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
                           current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS usable
                    """)
                guard let row = rows.first else { return }
                connections.record(try row.decode("connections", as: Int.self))
                limit.record(try row.decode("usable", as: Int.self))
            } catch {
                logger.debug("cannot read the database server's connections", metadata: ["error": "\(error)"])
            }
        }
    }
}
