// Over 250 lines: the pool's I/O around its state machine (PoolStateMachine.swift holds the
// decisions); lending, health checks and metrics share the same locked state.
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A pool of libpq connections with an idle minimum, a maximum (`DB_MAX_CONNECTIONS`), an
/// acquire timeout and replacement of broken connections. Connections are lent only inside a
/// closure (`withConnection`, `withTransaction`). Run it as a `Service` so it closes its
/// connections on shutdown.
public final class PostgresPool: Sendable, Service {
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let threads: NIOThreadPool
    private let state: Mutex<State>
    private let metrics: PoolMetrics

    private struct State: ~Copyable {
        var machine: PoolStateMachine
        var connections: [Int: PostgresConnection] = [:]
        var waiters: [Int: Waiter] = [:]
        var nextID = 0

        mutating func makeID() -> Int {
            nextID += 1
            return nextID
        }
    }

    private struct Waiter {
        let continuation: CheckedContinuation<PostgresConnection, any Error>
        var timeout: Task<Void, Never>?
    }

    /// Creates a pool; connections open on first use (and `minIdleConnections` in the background).
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // One blocking thread per connection: a lent connection never waits for a thread.
        self.threads = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        self.threads.start()
        self.state = Mutex(State(machine: PoolStateMachine(maxConnections: configuration.maxConnections)))
        self.metrics = PoolMetrics(database: configuration.database)
        prewarm()
    }

    /// Lends a connection for the duration of `body`.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let start = ContinuousClock.now
        let connection = try await lease()
        metrics.acquire.record(duration: ContinuousClock.now - start)
        let settings = PostgresSessionSettings.current
        do {
            if !settings.isEmpty { try await connection.query(PostgresSessionSettings.statement(settings)) }
            let result = try await body(connection)
            try await clear(settings, on: connection)
            release(connection)
            return result
        } catch {
            var broken = (error as? PostgresError)?.breaksConnection ?? false
            // A connection whose settings cannot be cleared must not carry them to the next caller.
            if !broken, (try? await clear(settings, on: connection)) == nil { broken = true }
            release(connection, broken: broken)
            throw error
        }
    }

    private func clear(_ settings: [String: String], on connection: PostgresConnection) async throws {
        guard !settings.isEmpty else { return }
        try await connection.query(PostgresSessionSettings.statement(settings, clearing: true))
    }

    /// Runs one statement on a lent connection.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Waits until nothing is lent any more, then closes every connection (`Service`).
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes idle connections, fails waiters, and stops the I/O threads once all are returned.
    public func close() async {
        let (idle, waiters) = state.withLock { state -> ([PostgresConnection], [Waiter]) in
            let (closeIDs, failIDs) = state.machine.shutdown()
            let idle = closeIDs.compactMap { state.connections.removeValue(forKey: $0) }
            let waiters = failIDs.compactMap { state.waiters.removeValue(forKey: $0) }
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError(kind: .poolShutdown, message: "pool is shut down"))
        }
        for connection in idle { connection.close() }
        try? await threads.shutdownGracefully()
    }

    /// Statistics for health and metrics.
    public var statistics: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.machine.total, $0.machine.idle.count, $0.machine.waiters.count) }
    }

    /// Sets the pool's gauges (`db_pool_connections_open`, `_in_use`, `_idle`, `_max`,
    /// `db_pool_requests_waiting`) from its current state; `/metrics` calls it before each scrape.
    public func publishMetrics() {
        let (open, idle, waiting) = statistics
        metrics.open.record(open)
        metrics.idle.record(idle)
        metrics.inUse.record(open - idle)
        metrics.waiting.record(waiting)
        metrics.limit.record(configuration.maxConnections)
    }

    // MARK: Leasing

    private func lease() async throws -> PostgresConnection {
        while true {
            let connection = try await acquire()
            if connection.isReusable { return connection }
            // The server closed it while it sat idle (a restart): drop it and take another.
            logger.info("discarding a stale database connection", metadata: ["connection": "\(connection.id)"])
            connection.close()
            state.withLock { state in
                state.machine.discardLeased(connection.id)
                state.connections[connection.id] = nil
            }
        }
    }

    private func acquire() async throws -> PostgresConnection {
        // Fast path: an idle connection, no continuation needed.
        enum FastPath { case connection(PostgresConnection), shutDown, slow(Int) }
        let fast = state.withLock { state -> FastPath in
            if let id = state.machine.leaseIdle() { return .connection(state.connections[id]!) }
            return state.machine.isShutDown ? .shutDown : .slow(state.makeID())
        }
        let waiterID: Int
        switch fast {
        case .connection(let connection): return connection
        case .shutDown: throw PostgresError(kind: .poolShutdown, message: "pool is shut down")
        case .slow(let id): waiterID = id
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let action = state.withLock { state -> PoolStateMachine.AcquireAction in
                    let action = state.machine.acquire(waiter: waiterID)
                    switch action {
                    case .wait, .waitAndConnect:
                        state.waiters[waiterID] = Waiter(continuation: continuation, timeout: nil)
                    case .lease, .fail:
                        break
                    }
                    return action
                }
                switch action {
                case .lease(let id):
                    continuation.resume(returning: state.withLock { $0.connections[id]! })
                case .fail:
                    continuation.resume(throwing: PostgresError(kind: .poolShutdown, message: "pool is shut down"))
                case .waitAndConnect:
                    scheduleTimeout(for: waiterID)
                    openConnection()
                case .wait:
                    scheduleTimeout(for: waiterID)
                }
            }
        } onCancel: {
            abandon(waiterID, with: CancellationError())
        }
    }

    private func scheduleTimeout(for waiterID: Int) {
        let timeout = configuration.acquireTimeout
        let task = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            guard let self else { return }
            if self.abandon(waiterID, with: PostgresError(kind: .acquireTimeout, message: "no connection free in time")) {
                self.metrics.timeouts.increment()
            }
        }
        let stillWaiting = state.withLock { state -> Bool in
            guard state.waiters[waiterID] != nil else { return false }
            state.waiters[waiterID]?.timeout = task
            return true
        }
        if !stillWaiting { task.cancel() }
    }

    /// Fails a waiter that has not been served yet; `false` when it already was.
    @discardableResult
    private func abandon(_ waiterID: Int, with error: any Error) -> Bool {
        let waiter = state.withLock { state -> Waiter? in
            guard state.machine.cancel(waiterID) else { return nil }
            return state.waiters.removeValue(forKey: waiterID)
        }
        waiter?.timeout?.cancel()
        waiter?.continuation.resume(throwing: error)
        return waiter != nil
    }

    private func release(_ connection: PostgresConnection, broken: Bool = false) {
        let reusable = !broken && connection.isReusable
        let action = state.withLock { $0.machine.release(connection.id, reusable: reusable) }
        perform(action, connection: connection)
    }

    private func perform(_ action: PoolStateMachine.ReleaseAction, connection: PostgresConnection) {
        switch action {
        case .keep:
            break
        case .handOver(_, let waiterID):
            let waiter = state.withLock { $0.waiters.removeValue(forKey: waiterID) }
            waiter?.timeout?.cancel()
            waiter?.continuation.resume(returning: connection)
        case .close:
            state.withLock { _ = $0.connections.removeValue(forKey: connection.id) }
            connection.close()
        case .closeAndConnect:
            state.withLock { _ = $0.connections.removeValue(forKey: connection.id) }
            connection.close()
            openConnection()
        }
    }

    // MARK: Opening connections

    private func prewarm() {
        while state.withLock({ $0.machine.startPrewarm(minimum: configuration.minIdleConnections) }) {
            openConnection()
        }
    }

    /// Opens one connection (the state machine has already counted it as connecting).
    private func openConnection() {
        let id = state.withLock { $0.makeID() }
        Task {
            do {
                let connection = try await PostgresConnection.connect(
                    id: id, configuration: configuration, threads: threads, metrics: metrics)
                let action = state.withLock { state in
                    state.connections[id] = connection
                    return state.machine.connected(id)
                }
                perform(action, connection: connection)
            } catch {
                logger.warning("database connection failed", metadata: ["error": "\(String(reflecting: error))"])
                let waiter = state.withLock { state -> Waiter? in
                    guard let waiterID = state.machine.connectFailed() else { return nil }
                    return state.waiters.removeValue(forKey: waiterID)
                }
                waiter?.timeout?.cancel()
                waiter?.continuation.resume(throwing: error)
            }
        }
    }
}
