import CLibPQ
import Foundation
import NIOPosix
import Synchronization

/// One libpq connection. The pool lends it to one task at a time (`withConnection`); every
/// blocking libpq call runs on the pool's I/O threads, never on Swift's cooperative pool.
public final class PostgresConnection: Sendable {
    /// The pool's identifier for this connection.
    let id: Int
    private let handle: Mutex<ConnectionHandle>
    private let threads: NIOThreadPool
    private let metrics: PoolMetrics

    private init(id: Int, handle: consuming sending ConnectionHandle, threads: NIOThreadPool, metrics: PoolMetrics) {
        self.id = id
        self.handle = Mutex(handle)
        self.threads = threads
        self.metrics = metrics
    }

    /// Opens a connection (blocking work happens on `threads`).
    static func connect(id: Int, configuration: PostgresConfiguration, threads: NIOThreadPool, metrics: PoolMetrics)
        async throws -> PostgresConnection
    {
        let parameters = configuration.connectionParameters
        return try await threads.runIfActive {
            PostgresConnection(id: id, handle: try ConnectionHandle.open(parameters), threads: threads, metrics: metrics)
        }
    }

    /// Runs a statement with its binds and returns the rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        let start = ContinuousClock.now
        defer { metrics.queryTimer(for: query.sql).record(duration: ContinuousClock.now - start) }
        return try await threads.runIfActive { try self.handle.withLock { try $0.execute(query) } }
    }

    /// Runs SQL text that may hold several statements, without binds (migration files).
    public func execute(script: String) async throws {
        try await threads.runIfActive { try self.handle.withLock { try $0.executeScript(script) } }
    }

    /// Loads rows with `COPY … FROM STDIN`: the fast path for bulk inserts.
    /// `table` and `columns` are identifiers and are quoted; values travel as COPY data.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: [[PostgresBind]]) async throws -> Int {
        try await threads.runIfActive {
            try self.handle.withLock { try $0.copy(into: table, columns: columns, rows: rows) }
        }
    }

    /// Whether the connection is idle and the server has not closed it (checked without blocking).
    var isReusable: Bool {
        handle.withLock { $0.isReusable }
    }

    /// Closes the connection.
    func close() {
        handle.withLock { $0.close() }
    }
}
