import CLibPQ
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `LISTEN`s on one channel over a connection of its own, on a thread of its own, and reports
/// what happens to `handler` in order: `.listening` once the server registered the `LISTEN`,
/// each notification's payload, and `.interrupted` when the connection is lost (notifications
/// sent meanwhile are lost with it). It reconnects by itself, every `retryDelay`, until the
/// service group shuts down (`Service`).
///
/// A consumer that mirrors the database (a cache) must treat `.interrupted` as "forget
/// everything" and `.listening` as "from now on, every change is announced".
public final class PostgresNotificationListener: Service, Sendable {
    public enum Event: Sendable, Equatable {
        case listening
        case notification(payload: String)
        case interrupted(reason: String)
    }

    private let channel: String
    private let parameters: [(String, String)]
    private let retryDelay: Duration
    private let logger: Logger
    private let handler: @Sendable (Event) -> Void
    private let stopping = Atomic<Bool>(false)

    public init(
        channel: String, configuration: PostgresConfiguration, logger: Logger, retryDelay: Duration = .seconds(1),
        handler: @escaping @Sendable (Event) -> Void
    ) {
        self.channel = channel
        // Keepalives, so that a server that vanished without closing the socket (a host or
        // network failure) is noticed within about 20 s rather than the kernel's two hours.
        self.parameters =
            configuration.connectionParameters.map { $0.0 == "application_name" ? ($0.0, "\($0.1)-listener") : $0 }
            + [("keepalives_idle", "10"), ("keepalives_interval", "3"), ("keepalives_count", "3")]
        self.retryDelay = retryDelay
        self.logger = logger
        self.handler = handler
    }

    /// Listens until graceful shutdown, then closes the connection.
    public func run() async throws {
        let (ended, end) = AsyncStream<Never>.makeStream()
        Thread { [self] in
            Thread.current.name = "pg-listen"
            listenUntilStopped()
            end.finish()
        }.start()
        try? await gracefulShutdown()
        stopping.store(true, ordering: .releasing)
        for await _ in ended {}
    }

    private var stopped: Bool { stopping.load(ordering: .acquiring) }

    private func listenUntilStopped() {
        var quiet = false
        while !stopped {
            var listened = false
            let reason: String
            do {
                var handle = try ConnectionHandle.open(parameters)
                reason = listen(on: &handle, listened: &listened)
                handle.close()
            } catch {
                reason = "\(error)"
            }
            if stopped { break }
            // One warning per outage, not one per failed attempt to reconnect.
            if listened { quiet = false }
            if !quiet { logger.warning("notifications interrupted; reconnecting", metadata: ["channel": "\(channel)", "reason": "\(reason)"]) }
            quiet = true
            handler(.interrupted(reason: reason))
            sleepUnlessStopped(retryDelay)
        }
    }

    /// Listens on an open connection until it breaks (the reason) or the service stops ("stopped").
    private func listen(on handle: inout ConnectionHandle, listened: inout Bool) -> String {
        guard let connection = handle.connection else { return "connection is closed" }
        let result = PQexec(connection, "LISTEN " + ConnectionHandle.quoteIdentifier(channel))
        let registered = PQresultStatus(result) == PGRES_COMMAND_OK
        PQclear(result)
        guard registered else { return ConnectionHandle.errorMessage(connection) }
        logger.info("listening for notifications", metadata: ["channel": "\(channel)"])
        listened = true
        handler(.listening)
        while !stopped {
            while let notification = PQnotifies(connection) {
                let payload = String(cString: notification.pointee.extra)
                PQfreemem(notification)
                handler(.notification(payload: payload))
            }
            guard PQstatus(connection) == CONNECTION_OK else { return ConnectionHandle.errorMessage(connection) }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            // Wakes every 200 ms to notice a shutdown; a notification wakes it at once.
            let ready = poll(&descriptor, 1, 200)
            if ready < 0, errno != EINTR { return "poll failed: errno \(errno)" }
            if ready > 0, PQconsumeInput(connection) != 1 { return ConnectionHandle.errorMessage(connection) }
        }
        return "stopped"
    }

    private func sleepUnlessStopped(_ delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while !stopped, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
