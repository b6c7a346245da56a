import Logging
import Postgres
import ServiceLifecycle

/// Deletes expired rows every hour by calling a database function that removes up to a batch
/// and returns how many it removed, until none is left, so each run stays quick at millions
/// of rows: the gateway's `purge_expired_rows` (`api_logs` after 30 days, `analytics_events`
/// after 90; `make cleanup` runs it once by hand) and every database's `purge_expired_audit`
/// (the audit trail after a year).
public struct RetentionJob: Service {
    let pool: PostgresPool
    /// The function, `name(batch INTEGER) RETURNS INTEGER`.
    let function: StaticString
    /// Opens once the migrations (which define the function) have run.
    let ready: SchemaReadiness
    let logger: Logger
    var interval: Duration = .seconds(3600)
    var batch = 10_000

    public init(pool: PostgresPool, function: StaticString, ready: SchemaReadiness, logger: Logger, batch: Int = 10_000) {
        self.pool = pool
        self.function = function
        self.ready = ready
        self.logger = logger
        self.batch = batch
    }

    public func run() async throws {
        await repeatUntilStopped(every: interval, after: ready) {
            do {
                let deleted = try await purge()
                if deleted > 0 { logger.info("expired rows deleted", metadata: ["rows": "\(deleted)", "function": "\(function)"]) }
            } catch {
                logger.warning("retention run failed", metadata: ["error": "\(error)", "function": "\(function)"])
            }
        }
    }

    /// Deletes every expired row, a batch per transaction; returns how many.
    public func purge() async throws -> Int {
        var total = 0
        while true {
            let deleted: Int = try await pool.query("SELECT \(literal: function)(\(Int32(batch))) AS deleted").first!.decode("deleted")
            total += deleted
            if deleted == 0 || Task.isStopping { return total }
        }
    }
}
