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
        let thread = Thread { [self] in
            listenUntilStopped()
            end.finish()
        }
        thread.start()
        thread.name = "pg-listen"  // after start(), as in CurlMultiLoop
        try? await gracefulShutdown()
        stopping.store(true, ordering: .releasing)
        for await _ in ended {}
    }

    private var stopped: Bool { stopping.load(ordering: .acquiring) }

    private func listenUntilStopped() {
        // One warning per outage, not one per failed attempt to reconnect.
        var quiet = false
        while !stopped {
            var listening = false
            do {
                var handle = try ConnectionHandle.open(parameters)
                try handle.executeScript("LISTEN " + ConnectionHandle.quoteIdentifier(channel))
                listening = true
                logger.info("listening for notifications", metadata: ["channel": "\(channel)"])
                handler(.listening)
                // Wakes every 200 ms to notice a shutdown; a notification wakes it at once.
                while !stopped {
                    for payload in try handle.notifications(waitingUpTo: 200) { handler(.notification(payload: payload)) }
                }
            } catch {
                if stopped { break }
                let reason = (error as? PostgresError)?.message ?? "\(error)"
                if listening || !quiet {
                    logger.warning("notifications interrupted; reconnecting", metadata: ["channel": "\(channel)", "reason": "\(reason)"])
                }
                quiet = true
                handler(.interrupted(reason: reason))
                sleepUnlessStopped(retryDelay)
            }
        }
    }

    private func sleepUnlessStopped(_ delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while !stopped, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
