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
        try await withListener(channel: "catalog changes", configuration: configuration) { log in
            #expect(try await eventually { log.events == [.listening] })
            try await pool.query("SELECT pg_notify('catalog changes', 'first') AS sent")
            await #expect(throws: CancellationError.self) {
                try await pool.withTransaction { connection in
                    try await connection.query("SELECT pg_notify('catalog changes', 'rolled back') AS sent")
                    throw CancellationError()
                }
            }
            try await pool.query("SELECT pg_notify('catalog changes', 'second') AS sent")
            #expect(try await eventually { log.events.count == 3 })
            #expect(log.events == [.listening, .notification(payload: "first"), .notification(payload: "second")])

            let terminated = try await pool.query(
                "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'listener-test-listener'")
            #expect(terminated.count == 1)
            // Reported lost, then listening again on a new connection (after 100 ms).
            #expect(try await eventually { log.events.count > 4 && log.events.last == .listening })
            #expect(log.events.dropFirst(3).first.map(Self.isInterruption) == true)
            try await pool.query("SELECT pg_notify('catalog changes', 'third') AS sent")
            #expect(try await eventually { log.events.last == .notification(payload: "third") })
        }
        await pool.close()
    }

    @Test func keepsTryingWhileTheServerIsAwayAndStopsOnShutdown() async throws {
        var configuration = try TestEnvironment.adminConfiguration()
        configuration.port = 1  // nothing listens there: refused at once
        try await withListener(channel: "nowhere", configuration: configuration) { log in
            let retried = try await eventually { log.events.count >= 3 }
            #expect(retried)
            #expect(log.events.allSatisfy(Self.isInterruption))
        }
    }

    /// What a listener reported, in order.
    private final class EventLog: Sendable {
        private let recorded = Mutex<[PostgresNotificationListener.Event]>([])
        var events: [PostgresNotificationListener.Event] { recorded.withLock { $0 } }
        func append(_ event: PostgresNotificationListener.Event) { recorded.withLock { $0.append(event) } }
    }

    /// Runs a listener (retrying every 100 ms) in a service group while `body` runs, then shuts the group down.
    private func withListener(
        channel: String, configuration: PostgresConfiguration, _ body: (EventLog) async throws -> Void
    ) async throws {
        let log = EventLog()
        let listener = PostgresNotificationListener(
            channel: channel, configuration: configuration, logger: TestEnvironment.logger("listener"),
            retryDelay: .milliseconds(100), handler: log.append)
        let group = ServiceGroup(configuration: .init(services: [listener], logger: TestEnvironment.logger("listener")))
        let running = Task { try await group.run() }
        do {
            try await body(log)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    private static func isInterruption(_ event: PostgresNotificationListener.Event) -> Bool {
        if case .interrupted = event { true } else { false }
    }
}
