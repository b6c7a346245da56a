/// The connection pool's bookkeeping as a value type: which connections are idle or lent,
/// how many are being opened, and who waits. It performs no I/O; the pool carries out the
/// action each transition returns, so every transition can be tested on its own.
struct PoolStateMachine: Sendable {
    typealias ConnectionID = Int
    typealias WaiterID = Int

    /// What the pool must do after `acquire`.
    enum AcquireAction: Equatable {
        /// Hand this idle connection to the caller.
        case lease(ConnectionID)
        /// Park the caller and open one more connection.
        case waitAndConnect
        /// Park the caller until a connection comes back.
        case wait
        /// The pool is shut down.
        case fail
    }

    /// What the pool must do when a connection becomes free (released or newly opened).
    enum ReleaseAction: Equatable {
        /// Keep it idle.
        case keep
        /// Give it to this waiter.
        case handOver(ConnectionID, to: WaiterID)
        /// Close it; nobody needs a replacement.
        case close(ConnectionID)
        /// Close it and open a replacement for the waiters.
        case closeAndConnect(ConnectionID)
    }

    let maxConnections: Int
    private(set) var idle: [ConnectionID] = []
    private(set) var leased: Set<ConnectionID> = []
    private(set) var connecting = 0
    private(set) var waiters: [WaiterID] = []
    private(set) var isShutDown = false

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    /// Connections that exist or are being opened.
    var total: Int { idle.count + leased.count + connecting }

    mutating func acquire(waiter: WaiterID) -> AcquireAction {
        if isShutDown { return .fail }
        if let connection = idle.popLast() {
            leased.insert(connection)
            return .lease(connection)
        }
        waiters.append(waiter)
        // Open a connection only when the ones already being opened cannot serve everyone waiting.
        if total < maxConnections, connecting < waiters.count {
            connecting += 1
            return .waitAndConnect
        }
        return .wait
    }

    /// Takes an idle connection without queueing, if there is one.
    mutating func leaseIdle() -> ConnectionID? {
        guard !isShutDown, let connection = idle.popLast() else { return nil }
        leased.insert(connection)
        return connection
    }

    /// Whether the pool should open a connection to reach its idle minimum.
    mutating func startPrewarm(minimum: Int) -> Bool {
        guard !isShutDown, total < min(minimum, maxConnections) else { return false }
        connecting += 1
        return true
    }

    /// A connection finished opening.
    mutating func connected(_ connection: ConnectionID) -> ReleaseAction {
        connecting -= 1
        return free(connection)
    }

    /// Opening a connection failed: the longest waiter gets the error, unless other
    /// openings under way can still serve every waiter.
    mutating func connectFailed() -> WaiterID? {
        connecting -= 1
        guard waiters.count > connecting, !waiters.isEmpty else { return nil }
        return waiters.removeFirst()
    }

    /// A lent connection came back; `reusable` is false when it broke or was left mid-transaction.
    mutating func release(_ connection: ConnectionID, reusable: Bool) -> ReleaseAction {
        leased.remove(connection)
        guard reusable else {
            if !isShutDown, waiters.count > connecting, total < maxConnections {
                connecting += 1
                return .closeAndConnect(connection)
            }
            return .close(connection)
        }
        return free(connection)
    }

    /// A connection taken from idle failed its health check and is being discarded.
    mutating func discardLeased(_ connection: ConnectionID) {
        leased.remove(connection)
    }

    /// A waiter gave up (timeout or cancellation). Returns whether it was still waiting.
    mutating func cancel(_ waiter: WaiterID) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Stops lending: returns the idle connections to close and the waiters to fail.
    mutating func shutdown() -> (close: [ConnectionID], fail: [WaiterID]) {
        isShutDown = true
        defer {
            idle.removeAll()
            waiters.removeAll()
        }
        return (idle, waiters)
    }

    private mutating func free(_ connection: ConnectionID) -> ReleaseAction {
        if isShutDown { return .close(connection) }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            leased.insert(connection)
            return .handOver(connection, to: waiter)
        }
        idle.append(connection)
        return .keep
    }
}
