import Primitives
import Synchronization

/// How long and how many connections a client may hold on a service's HTTP server (every
/// service and the gateway): the defence against slow or idle clients that hold sockets
/// open (slowloris).
public struct ConnectionLimits: Sendable, Equatable {
    /// Once a request's first byte has arrived, its headers must be complete within this
    /// (`HTTP_HEADER_TIMEOUT_MS`, default 10000); else the connection is closed.
    public var headerTimeout: Duration
    /// A kept-alive connection with no request under way is closed after this
    /// (`HTTP_IDLE_TIMEOUT_MS`, default 60000). Clients of this stack reuse a connection only
    /// while it has been idle for less (`CurlHTTPClient`: 20 s), so they never race its close.
    public var idleTimeout: Duration
    /// Open connections per client IP (`HTTP_MAX_CONNECTIONS_PER_IP`, default 512); a request
    /// on a connection past it gets 429 `rate_limited` and the connection is closed. The
    /// gateway's connections to one service (64 per replica) stay well under it; its event
    /// streams do not (one connection each), so the services behind it default to more
    /// (``ServiceConfiguration/Defaults/maxConnectionsPerIP``).
    public var maxConnectionsPerIP: Int

    /// The default for a service whose event streams the gateway relays: each open stream is
    /// a connection from a gateway replica, which allows 10,000 (`STREAM_LIMIT_TOTAL`).
    public static let eventStreamingMaxConnectionsPerIP = 20_000

    public init(headerTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxConnectionsPerIP: Int = 512) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnectionsPerIP = maxConnectionsPerIP
    }

    /// Reads the three variables; `maxConnectionsPerIP` when the last is unset.
    public init(environment: [String: String], maxConnectionsPerIP defaultMaxConnectionsPerIP: Int = 512) throws {
        let defaults = ConnectionLimits(maxConnectionsPerIP: defaultMaxConnectionsPerIP)
        headerTimeout = try environment.integerVariable(
            "HTTP_HEADER_TIMEOUT_MS", in: 100...600_000, reason: "must be milliseconds from 100 to 600000"
        ).map { .milliseconds($0) } ?? defaults.headerTimeout
        idleTimeout = try environment.integerVariable(
            "HTTP_IDLE_TIMEOUT_MS", in: 100...3_600_000, reason: "must be milliseconds from 100 to 3600000"
        ).map { .milliseconds($0) } ?? defaults.idleTimeout
        maxConnectionsPerIP = try environment.integerVariable(
            "HTTP_MAX_CONNECTIONS_PER_IP", in: 1...1_000_000, reason: "must be a number from 1 to 1000000"
        ) ?? defaults.maxConnectionsPerIP
    }
}

/// The open connections per client IP of one server, shared by all its connections.
final class ConnectionCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; `false` (and not counted) when its IP is at the limit.
    func open(_ ip: String) -> Bool {
        counts.withLock { counts in
            let current = counts[ip, default: 0]
            guard current < limit else { return false }
            counts[ip] = current + 1
            return true
        }
    }

    func close(_ ip: String) {
        counts.withLock { counts in
            let remaining = counts[ip, default: 1] - 1
            counts[ip] = remaining > 0 ? remaining : nil
        }
    }
}
