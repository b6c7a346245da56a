import Metrics
import Synchronization

/// A pool's metrics, labelled with its database (swift-metrics: no-ops until the process
/// bootstraps a backend). Gauges are set when `/metrics` is read (``PostgresPool/publishMetrics()``),
/// so the request path pays only for the acquire timer and the query timers.
final class PoolMetrics: Sendable {
    let open: Gauge
    let inUse: Gauge
    let idle: Gauge
    let waiting: Gauge
    let limit: Gauge
    let acquire: Timer
    let timeouts: Counter
    private let database: String
    private let statements = Mutex<[String: Timer]>([:])
    private static let maxStatements = 512

    init(database: String) {
        let dimensions = [("database", database)]
        self.database = database
        open = Gauge(label: "db_pool_connections_open", dimensions: dimensions)
        inUse = Gauge(label: "db_pool_connections_in_use", dimensions: dimensions)
        idle = Gauge(label: "db_pool_connections_idle", dimensions: dimensions)
        waiting = Gauge(label: "db_pool_requests_waiting", dimensions: dimensions)
        limit = Gauge(label: "db_pool_connections_max", dimensions: dimensions)
        acquire = Timer(label: "db_pool_acquire_duration_seconds", dimensions: dimensions)
        timeouts = Counter(label: "db_pool_acquire_timeouts_total", dimensions: dimensions)
    }

    /// The timer of one statement: `db_query_duration_seconds{database, statement}`, the
    /// statement named by ``StatementName`` and cached by SQL text (services run a fixed set).
    func queryTimer(for sql: String) -> Timer {
        if let timer = statements.withLock({ $0[sql] }) { return timer }
        let timer = Timer(
            label: "db_query_duration_seconds", dimensions: [("database", database), ("statement", StatementName.of(sql))])
        statements.withLock { if $0.count < Self.maxStatements { $0[sql] = timer } }
        return timer
    }
}

extension PostgresPool {
    /// `# HELP` texts of the pool's metrics, by name.
    public static let metricHelp = [
        "db_pool_connections_open": "Connections the pool holds open to its database.",
        "db_pool_connections_in_use": "Connections lent out now.",
        "db_pool_connections_idle": "Open connections waiting to be lent.",
        "db_pool_connections_max": "The pool's connection limit (DB_MAX_CONNECTIONS).",
        "db_pool_requests_waiting": "Callers waiting for a connection.",
        "db_pool_acquire_duration_seconds": "Time from asking for a connection to getting one.",
        "db_pool_acquire_timeouts_total": "Callers given up on after the acquire timeout.",
        "db_query_duration_seconds": "Statement duration, by statement name (verb and table).",
    ]
}
