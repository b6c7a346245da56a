import Foundation
import Postgres
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@Suite("PostgreSQL notification listener")
struct NotificationListenerTests {
    @Test func hearsNotificationsReportsALostConnectionAndListensAgain() async throws {
        var configuration = try await TestDatabase.create("listener", maxConnections: 2)
        configuration.applicationName = "listener-test"
        let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger("listener"))
        let events = Mutex<[PostgresNotificationListener.Event]>([])
        let listener = PostgresNotificationListener(
            channel: "catalog changes", configuration: configuration, logger: TestEnvironment.logger("listener"),
            retryDelay: .milliseconds(100)
        ) { event in events.withLock { $0.append(event) } }
        let group = ServiceGroup(configuration: .init(services: [listener], logger: TestEnvironment.logger("listener")))
        let running = Task { try await group.run() }

        #expect(try await eventually { events.withLock { $0 } == [.listening] })
        try await pool.query("SELECT pg_notify('catalog changes', 'first') AS sent")
        await #expect(throws: CancellationError.self) {
            try await pool.withTransaction { connection in
                try await connection.query("SELECT pg_notify('catalog changes', 'rolled back') AS sent")
                throw CancellationError()
            }
        }
        try await pool.query("SELECT pg_notify('catalog changes', 'second') AS sent")
        #expect(try await eventually { events.withLock { $0.count } == 3 })
        #expect(events.withLock { $0 } == [.listening, .notification(payload: "first"), .notification(payload: "second")])

        let terminated = try await pool.query(
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'listener-test-listener'")
        #expect(terminated.count == 1)
        // Reported lost, then listening again on a new connection (after 100 ms).
        #expect(try await eventually { events.withLock { $0.count > 4 && $0.last == .listening } })
        let afterLoss = events.withLock { Array($0.dropFirst(3)) }
        #expect(afterLoss.first.map { if case .interrupted = $0 { true } else { false } } == true)
        try await pool.query("SELECT pg_notify('catalog changes', 'third') AS sent")
        #expect(try await eventually { events.withLock { $0.last } == .notification(payload: "third") })

        await group.triggerGracefulShutdown()
        try await running.value
        await pool.close()
    }

    @Test func keepsTryingWhileTheServerIsAwayAndStopsOnShutdown() async throws {
        var configuration = try TestEnvironment.adminConfiguration()
        configuration.port = 1  // nothing listens there: refused at once
        let events = Mutex<[PostgresNotificationListener.Event]>([])
        let listener = PostgresNotificationListener(
            channel: "nowhere", configuration: configuration, logger: TestEnvironment.logger("listener"),
            retryDelay: .milliseconds(50)
        ) { event in events.withLock { $0.append(event) } }
        let group = ServiceGroup(configuration: .init(services: [listener], logger: TestEnvironment.logger("listener")))
        let running = Task { try await group.run() }
        #expect(try await eventually { events.withLock { $0.count } >= 3 })
        #expect(events.withLock { $0.allSatisfy { if case .interrupted = $0 { true } else { false } } })
        await group.triggerGracefulShutdown()
        try await running.value
    }

    private func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
