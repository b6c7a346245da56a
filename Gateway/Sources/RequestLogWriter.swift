import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Synchronization

/// One `api_logs` row.
struct APILogEntry: Sendable {
    var serviceName: String
    var path: String
    var method: String
    var statusCode: Int
    var latencyMilliseconds: Double
    var userUID: String?
    var ipAddress: String?
    var userAgent: String?
    var requestID: String
    var createdAt: Date
}

/// Writes `api_logs` off the request path: requests drop their row into a bounded queue and
/// return; this service copies the queue into PostgreSQL (COPY) when it holds `batchSize`
/// rows or every `interval`, and once more when the gateway shuts down, so SIGTERM loses
/// nothing that was queued. When the queue is full (the database is down or slow) new rows
/// are dropped and counted in `gateway_api_logs_dropped_total` rather than slowing requests.
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

    init(pool: PostgresPool, logger: Logger, capacity: Int = 50_000, batchSize: Int = 1_000, interval: Duration = .milliseconds(500)) {
        self.pool = pool
        self.logger = logger
        self.capacity = capacity
        self.batchSize = batchSize
        self.interval = interval
    }

    /// Queues a row; never waits.
    func enqueue(_ entry: APILogEntry) {
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

    /// Writes up to `batchSize` queued rows; on failure they go back to the queue's front.
    func flush() async {
        let batch = queue.withLock { queue -> [APILogEntry] in
            let batch = Array(queue.prefix(batchSize))
            queue.removeFirst(batch.count)
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            _ = try await pool.withConnection { connection in
                try await connection.copy(
                    into: "api_logs",
                    columns: ["service_name", "path", "method", "status_code", "latency_ms", "user_uid", "ip_address",
                              "user_agent", "request_id", "created_at"],
                    rows: batch.map { entry in
                        [PostgresBind(type: .text, text: entry.serviceName), PostgresBind(type: .text, text: String(entry.path.prefix(2000))),
                         PostgresBind(type: .text, text: entry.method), PostgresBind(type: .int8, text: String(entry.statusCode)),
                         PostgresBind(type: .float8, text: entry.latencyMilliseconds.postgresText),
                         PostgresBind(type: .text, text: entry.userUID), PostgresBind(type: .text, text: entry.ipAddress),
                         PostgresBind(type: .text, text: entry.userAgent.map { String($0.prefix(1000)) }),
                         PostgresBind(type: .text, text: entry.requestID), PostgresBind(type: .timestamptz, text: entry.createdAt.postgresText)]
                    })
            }
            written.increment(by: batch.count)
        } catch {
            logger.warning("cannot write api_logs; keeping the rows", metadata: ["rows": "\(batch.count)", "error": "\(error)"])
            let requeued = queue.withLock { queue -> Int in
                let room = max(0, capacity - queue.count)
                queue.insert(contentsOf: batch.prefix(room), at: 0)
                return min(room, batch.count)
            }
            if requeued < batch.count { dropped.increment(by: batch.count - requeued) }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
