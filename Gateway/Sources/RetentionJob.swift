import Logging
import Postgres
import ServiceLifecycle

/// Deletes expired `api_logs` (30 days) and `analytics_events` (90 days) every hour, in
/// batches (`purge_expired_rows`), so it stays quick at millions of rows. `make cleanup` runs
/// the same function once by hand.
struct RetentionJob: Service {
    let pool: PostgresPool
    let logger: Logger
    var interval: Duration = .seconds(3600)
    var batch = 10_000

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                let deleted = try await purge()
                if deleted > 0 { logger.info("expired rows deleted", metadata: ["rows": "\(deleted)"]) }
            } catch {
                logger.warning("retention run failed", metadata: ["error": "\(error)"])
            }
            // Wakes at once when the gateway shuts down.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Deletes every expired row, a batch per transaction; returns how many.
    func purge() async throws -> Int {
        var total = 0
        while true {
            let deleted: Int = try await pool.query("SELECT purge_expired_rows(\(Int32(batch))) AS deleted").first!.decode("deleted")
            total += deleted
            if deleted == 0 || Task.isShuttingDownGracefully { return total }
        }
    }
}
