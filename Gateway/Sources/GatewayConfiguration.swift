import Contracts
import Postgres
import Primitives
import Redis
import ServiceKit

/// Gateway-only settings, read from the environment on top of ``ServiceConfiguration``.
public struct GatewayConfiguration: Sendable {
    /// Largest request body forwarded (`GATEWAY_MAX_BODY_BYTES`, default 1 MiB); larger is 413.
    public var maxBodyBytes: Int
    /// How long an upstream may take to answer (`UPSTREAM_TIMEOUT_MS`, default 15000).
    public var upstreamTimeout: Duration
    /// Base URL per upstream.
    public var upstreamURLs: [Upstream: String]
    /// Requests per minute.
    public var rateLimits: RateLimits
    /// How often queued `api_logs` rows are written (`API_LOG_FLUSH_MS`, default 500).
    public var logFlushInterval: Duration
    /// Bounds on open event streams.
    public var streams: StreamLimits

    public struct StreamLimits: Sendable {
        /// `STREAM_LIMIT_PER_USER` (default 250): per user or API key.
        public var perUser: Int
        /// `STREAM_LIMIT_PER_IP` (default 250): per client IP, whoever is signed in.
        public var perIP: Int
        /// `STREAM_LIMIT_TOTAL` (default 10000): on this replica.
        public var total: Int
        /// `STREAM_IDLE_TIMEOUT_MS` (default 60000): a stream on which nothing at all arrives
        /// from the service for this long (the services send a heartbeat every 15 s) ends.
        public var idleTimeout: Duration
    }

    public struct RateLimits: Sendable {
        /// `RATE_LIMIT_ANON_PER_MINUTE`, per client IP (default 600).
        public var anonymousPerIP: Int
        /// `RATE_LIMIT_USER_PER_MINUTE`, per user (default 1200).
        public var perUser: Int
        /// `RATE_LIMIT_REDIS_URL`: the Redis server every replica counts in (none: each
        /// replica counts alone).
        public var sharedStore: RedisURL?
        /// `RATE_LIMIT_REDIS_TIMEOUT_MS` (default 250): past it a replica counts alone.
        public var sharedStoreTimeout: Duration
    }

    /// Reads the settings.
    public init(service: ServiceConfiguration) throws {
        let environment = service.environment
        maxBodyBytes = try environment.integerVariable("GATEWAY_MAX_BODY_BYTES") ?? 1 << 20
        upstreamTimeout = .milliseconds(try environment.integerVariable("UPSTREAM_TIMEOUT_MS") ?? 15_000)
        upstreamURLs = Dictionary(uniqueKeysWithValues: Upstream.allCases.map { ($0, service.url(of: $0.peer)) })
        rateLimits = RateLimits(
            anonymousPerIP: try environment.integerVariable("RATE_LIMIT_ANON_PER_MINUTE") ?? 600,
            perUser: try environment.integerVariable("RATE_LIMIT_USER_PER_MINUTE") ?? 1200,
            sharedStore: try environment["RATE_LIMIT_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }.map {
                do { return try RedisURL(parsing: $0) } catch {
                    throw ConfigurationError(variable: "RATE_LIMIT_REDIS_URL", reason: "\(error)")
                }
            },
            sharedStoreTimeout: .milliseconds(try environment.integerVariable("RATE_LIMIT_REDIS_TIMEOUT_MS") ?? 250))
        logFlushInterval = .milliseconds(try environment.integerVariable("API_LOG_FLUSH_MS") ?? 500)
        streams = StreamLimits(
            perUser: try environment.integerVariable("STREAM_LIMIT_PER_USER", in: 1...1_000_000, reason: "must be 1 to 1000000") ?? 250,
            perIP: try environment.integerVariable("STREAM_LIMIT_PER_IP", in: 1...1_000_000, reason: "must be 1 to 1000000") ?? 250,
            total: try environment.integerVariable("STREAM_LIMIT_TOTAL", in: 1...1_000_000, reason: "must be 1 to 1000000") ?? 10_000,
            idleTimeout: .milliseconds(
                try environment.integerVariable("STREAM_IDLE_TIMEOUT_MS", in: 1_000...3_600_000, reason: "must be milliseconds from 1000 to 3600000")
                    ?? 60_000))
    }
}
