import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Synchronization

/// Writes `api_logs` off the request path: requests drop their row into a bounded queue and
/// return; this service copies the queue into PostgreSQL (COPY) when it holds `batchSize`
/// rows or every `interval`, and once more when the gateway shuts down, so SIGTERM loses
/// nothing that was queued. When the queue is full (the database is down or slow) new rows
/// are dropped and counted in `gateway_api_logs_dropped_total` rather than slowing requests.
/// A row the database refuses for its values (a data or constraint error) is found by
/// halving the batch, logged and counted in `gateway_api_logs_quarantined_total`, and the
/// rest of the batch is written: one bad row never blocks the others.
final class RequestLogWriter: Sendable, Service {
    private let pool: PostgresPool
    private let logger: Logger
    private let capacity: Int
    private let batchSize: Int
    private let interval: Duration
    private let queue = Mutex<[APILogEntry]>([])
    private let wake = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    private let dropped = Counter(label: "gateway_api_logs_dropped_total")
    private let written = Counter(label: "gateway_api_logs_written_total")
    private let quarantined = Counter(label: "gateway_api_logs_quarantined_total")
    /// Rows waiting, as seen at each flush (every `interval` at least), against the capacity.
    private let depth = Gauge(label: "gateway_api_logs_queue_depth")
    private let depthLimit = Gauge(label: "gateway_api_logs_queue_capacity")

    static let metricHelp = [
        "gateway_api_logs_dropped_total": "api_logs rows dropped because the queue was full or the database unreachable at shutdown.",
        "gateway_api_logs_written_total": "api_logs rows written.",
        "gateway_api_logs_quarantined_total": "api_logs rows the database refused for their values.",
        "gateway_api_logs_queue_depth": "api_logs rows waiting to be written.",
        "gateway_api_logs_queue_capacity": "How many api_logs rows the queue holds before dropping.",
    ]

    init(pool: PostgresPool, logger: Logger, capacity: Int = 50_000, batchSize: Int = 1_000, interval: Duration = .milliseconds(500)) {
        self.pool = pool
        self.logger = logger
        self.capacity = capacity
        self.batchSize = batchSize
        self.interval = interval
    }

    /// Queues a row (made to fit its columns); never waits.
    func enqueue(_ entry: APILogEntry) {
        let entry = entry.sanitized
        let (accepted, count) = queue.withLock { queue -> (Bool, Int) in
            guard queue.count < capacity else { return (false, queue.count) }
            queue.append(entry)
            return (true, queue.count)
        }
        if !accepted {
            dropped.increment()
        } else if count == batchSize {
            wake.continuation.yield()
        }
    }

    var queued: Int { queue.withLock { $0.count } }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in self.wake.stream { await self.flush() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.interval)
                        self.wake.continuation.yield()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wake.continuation.finish()
        }
        // The server has stopped taking requests: write whatever is still queued (giving up
        // after a while if the database is gone, and saying how many rows were lost).
        var attempts = 0
        while queued > 0, attempts < 50 {
            await flush()
            attempts += 1
        }
        let lost = queue.withLock { queue in
            defer { queue.removeAll() }
            return queue.count
        }
        if lost > 0 {
            dropped.increment(by: lost)
            logger.error("api_logs rows lost at shutdown", metadata: ["rows": "\(lost)"])
        }
    }

    /// Writes up to `batchSize` queued rows; rows not written because the database cannot be
    /// reached go back to the queue's front.
    func flush() async {
        let (batch, waiting) = queue.withLock { queue -> ([APILogEntry], Int) in
            let batch = Array(queue.prefix(batchSize))
            defer { queue.removeFirst(batch.count) }
            return (batch, queue.count)
        }
        depth.record(waiting)
        depthLimit.record(capacity)
        guard !batch.isEmpty else { return }
        do {
            try await write(batch[...])
        } catch {
            let rows = batch[error.start...]
            logger.warning("cannot write api_logs; keeping the rows", metadata: ["rows": "\(rows.count)", "error": "\(error.cause)"])
            let requeued = queue.withLock { queue -> Int in
                let room = max(0, capacity - queue.count)
                queue.insert(contentsOf: rows.prefix(room), at: 0)
                return min(room, rows.count)
            }
            if requeued < rows.count { dropped.increment(by: rows.count - requeued) }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The rows from `start` on were not written, for `cause`.
    private struct Unwritten: Error {
        var start: Int
        var cause: any Error
    }

    /// Copies `rows` in; on an error caused by a row's values, writes each half on its own
    /// until the offending rows stand alone, and quarantines them. Any other error (the
    /// database is down, the table missing) stops the writing: ``Unwritten`` says from which
    /// row on, since the halves before it are written and must not be written twice.
    private func write(_ rows: ArraySlice<APILogEntry>) async throws(Unwritten) {
        do {
            _ = try await pool.withConnection { connection in
                try await connection.copy(into: "api_logs", columns: APILogEntry.columns, rows: rows.map(\.binds))
            }
            written.increment(by: rows.count)
        } catch let error as PostgresError where error.isCausedByValues {
            guard rows.count > 1 else {
                quarantined.increment()
                let row = rows[rows.startIndex]
                logger.error(
                    "api_logs row refused by the database; dropped",
                    metadata: ["logged_request_id": "\(row.requestID)", "method": "\(row.method)", "error": "\(error)"])
                return
            }
            let middle = rows.startIndex + rows.count / 2
            try await write(rows[..<middle])
            try await write(rows[middle...])
        } catch {
            throw Unwritten(start: rows.startIndex, cause: error)
        }
    }
}
