import ServiceLifecycle
import Synchronization

/// Runs `body`, then waits `interval`, over and over until the service group stops the
/// calling service: gracefully (SIGTERM) or by cancelling it, as it does when another
/// service failed (a port already taken, say). The wait ends at once either way. With
/// `readiness`, the first run waits until the service's migrations have been applied.
///
/// A loop that checked only `Task.isShuttingDownGracefully` never ended when cancelled:
/// its sleep threw at once, every time, and the process spun instead of exiting.
public func repeatUntilStopped(
    every interval: Duration, after readiness: SchemaReadiness? = nil, _ body: () async -> Void
) async {
    if let readiness {
        // Cancelled on SIGTERM, the wait answers `false`.
        guard await cancelWhenGracefulShutdown({ await readiness.wait() }) else { return }
    }
    while !Task.isStopping {
        await body()
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        } catch {
            return
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the service group is stopping the current service, gracefully or by cancelling it.
    public static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }
}

/// Opens once the service's migrations have been applied (``buildServiceApplication``
/// opens it), so a background worker's first pass does not run against a schema that is
/// not there yet.
public final class SchemaReadiness: Sendable {
    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Lets every waiter, present and future, go on.
    public func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Waits until ``open()``; `false` if the task is cancelled first.
    public func wait() async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer: Bool? = state.withLock { state in
                    if state.isOpen { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }
}
