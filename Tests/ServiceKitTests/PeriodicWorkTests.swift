import ServiceKit
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// Runs `body` and fails the test (instead of hanging it) if it has not returned within 60 s.
/// The bounds here only turn a hang into a failure: under a parallel run on two busy cores a
/// task can wait seconds for its turn, and a 10 s bound has run out before.
private func finishes(_ what: String, _ body: @escaping @Sendable () async -> Void) async {
    let finished = await withTaskGroup(of: Bool.self) { group in
        group.addTask { await body(); return true }
        group.addTask { try? await Task.sleep(for: .seconds(60)); return false }
        let first = await group.next()!
        group.cancelAll()
        return first
    }
    #expect(finished, "\(what) did not end within 60 s")
}

/// Waits until `condition` holds, for at most 60 s.
private func eventually(_ condition: @Sendable () -> Bool) async throws {
    guard try await TestSupport.eventually(within: 60, every: .milliseconds(5), condition) else {
        throw TestSetupError("the condition never held")
    }
}

private final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// A periodic worker as a service of a group, counting its passes.
private struct CountingWorker: Service {
    let passes = Counter()
    let interval: Duration
    let readiness: SchemaReadiness?

    func run() async throws {
        await repeatUntilStopped(every: interval, after: readiness) { passes.add() }
    }
}

@Suite("Periodic work: stops with its service group")
struct PeriodicWorkTests {
    @Test func aCancelledLoopEndsAndRunsNoMore() async throws {
        let passes = Counter()
        let loop = Task { await repeatUntilStopped(every: .milliseconds(1)) { passes.add() } }
        try await eventually { passes.count >= 3 }
        loop.cancel()
        await finishes("the cancelled loop") { await loop.value }
        let afterwards = passes.count
        try await Task.sleep(for: .milliseconds(50))
        #expect(passes.count == afterwards)
    }

    @Test func aGracefulShutdownEndsTheWaitAtOnce() async throws {
        let worker = CountingWorker(interval: .seconds(3600), readiness: nil)
        let group = ServiceGroup(configuration: .init(services: [worker], logger: TestEnvironment.logger("periodic")))
        await finishes("the service group") {
            await withTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try? await group.run() }
                try? await eventually { worker.passes.count == 1 }
                await group.triggerGracefulShutdown()
            }
        }
        #expect(worker.passes.count == 1)
    }

    @Test func theFirstPassWaitsForTheSchema() async throws {
        let readiness = SchemaReadiness()
        let worker = CountingWorker(interval: .seconds(3600), readiness: readiness)
        let group = ServiceGroup(configuration: .init(services: [worker], logger: TestEnvironment.logger("periodic")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            #expect(worker.passes.count == 0)
            readiness.open()
            try await eventually { worker.passes.count == 1 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func aWaiterLeavesWhenCancelledAndLaterWaitersPassAnOpenReadiness() async throws {
        let readiness = SchemaReadiness()
        let waiter = Task { await readiness.wait() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await waiter.value == false)
        readiness.open()
        #expect(await readiness.wait())
    }
}
