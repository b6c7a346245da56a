import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// Deletes expired `api_logs` (30 days) and `analytics_events` (90 days) every hour, in
/// batches (`purge_expired_rows`), so it stays quick at millions of rows. `make cleanup` runs
/// the same function once by hand.
struct RetentionJob: Service {
    let pool: PostgresPool
    /// Opens once the migrations (which define `purge_expired_rows`) have run.
    let ready: SchemaReadiness
    let logger: Logger
    var interval: Duration = .seconds(3600)
    var batch = 10_000

    func run() async throws {
        await repeatUntilStopped(every: interval, after: ready) {
            do {
                let deleted = try await purge()
                if deleted > 0 { logger.info("expired rows deleted", metadata: ["rows": "\(deleted)"]) }
            } catch {
                logger.warning("retention run failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Deletes every expired row, a batch per transaction; returns how many.
    func purge() async throws -> Int {
        var total = 0
        while true {
            let deleted: Int = try await pool.query("SELECT purge_expired_rows(\(Int32(batch))) AS deleted").first!.decode("deleted")
            total += deleted
            if deleted == 0 || Task.isStopping { return total }
        }
    }
}
