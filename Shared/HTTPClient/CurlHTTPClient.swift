import Logging
import ServiceLifecycle
import Synchronization

/// The HTTP client every service uses to call another: libcurl's multi interface on one
/// owner thread, kept-alive connections, connect and total timeouts, retries with jittered
/// backoff for idempotent requests, a circuit breaker per upstream, and `X-Request-ID`
/// propagation. Run it as a `Service` so it stops with the process.
public final class CurlHTTPClient: Sendable, Service {
    /// Client-wide settings.
    public struct Configuration: Sendable {
        public var connectTimeout: Duration
        /// Default limit for a whole exchange; a request may set its own.
        public var timeout: Duration
        public var retry: RetryPolicy
        public var circuitBreaker: CircuitBreaker.Configuration
        /// Open connections per upstream host; further requests queue inside libcurl.
        public var maxConnectionsPerHost: Int

        /// Creates a configuration.
        public init(
            connectTimeout: Duration = .seconds(1), timeout: Duration = .seconds(5), retry: RetryPolicy = RetryPolicy(),
            circuitBreaker: CircuitBreaker.Configuration = .init(), maxConnectionsPerHost: Int = 64
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.retry = retry
            self.circuitBreaker = circuitBreaker
            self.maxConnectionsPerHost = maxConnectionsPerHost
        }
    }

    public let configuration: Configuration
    private let loop: CurlMultiLoop
    private let breakers = Mutex<[String: CircuitBreaker]>([:])
    private let logger: Logger

    /// Starts the owner thread.
    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "http-client")) {
        self.configuration = configuration
        self.logger = logger
        self.loop = CurlMultiLoop(
            maxConnectionsPerHost: configuration.maxConnectionsPerHost,
            maxCachedConnections: max(16, configuration.maxConnectionsPerHost * 4))
    }

    deinit {
        loop.shutdown()
    }

    /// Sends a request and returns the upstream's response, whatever its status.
    ///
    /// Throws ``HTTPClientError`` when no response came: after retries for idempotent
    /// requests, or at once when the upstream's circuit is open.
    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        var request = request
        if request.header("X-Request-ID") == nil, let requestID = RequestIDPropagation.current {
            request.headers.append(("X-Request-ID", requestID))
        }
        let upstream = request.upstreamKey
        let policy = request.retry ?? configuration.retry
        let attempts = request.isIdempotent ? policy.maxAttempts : 1
        var attempt = 1
        while true {
            try Task.checkCancellation()
            guard allowRequest(to: upstream) else { throw HTTPClientError.circuitOpen(upstream: upstream) }
            do {
                let response = try await send(request)
                record(failed: RetryPolicy.isFailure(status: response.status), upstream: upstream)
                if attempt < attempts, RetryPolicy.isRetryable(status: response.status) {
                    try await backoff(policy, after: attempt, upstream: upstream, reason: "status \(response.status)")
                    attempt += 1
                    continue
                }
                return response
            } catch let error as HTTPClientError {
                record(failed: true, upstream: upstream)
                guard attempt < attempts else { throw error }
                try await backoff(policy, after: attempt, upstream: upstream, reason: error.description)
                attempt += 1
            }
        }
    }

    /// The state of an upstream's circuit breaker (`scheme://host:port`).
    public func circuitState(for upstream: String) -> CircuitBreaker.State {
        breakers.withLock { $0[upstream]?.state ?? .closed(consecutiveFailures: 0) }
    }

    /// Waits for graceful shutdown, then stops the owner thread (`Service`).
    public func run() async throws {
        try? await gracefulShutdown()
        loop.shutdown()
    }

    // MARK: Internals

    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let id = loop.makeID()
        let timeout = request.timeout ?? configuration.timeout
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                loop.submit(
                    .init(
                        id: id, request: request, connectTimeout: min(configuration.connectTimeout, timeout),
                        timeout: timeout, continuation: continuation))
            }
        } onCancel: {
            loop.cancel(id)
        }
    }

    private func allowRequest(to upstream: String) -> Bool {
        let now = ContinuousClock.now
        return breakers.withLock { breakers in
            breakers[upstream, default: CircuitBreaker(configuration: configuration.circuitBreaker)]
                .allowRequest(now: now)
        }
    }

    private func record(failed: Bool, upstream: String) {
        let now = ContinuousClock.now
        let opened = breakers.withLock { breakers -> Bool in
            var breaker = breakers[upstream, default: CircuitBreaker(configuration: configuration.circuitBreaker)]
            let wasOpen = breaker.isOpen(now: now)
            if failed { breaker.recordFailure(now: now) } else { breaker.recordSuccess() }
            breakers[upstream] = breaker
            return !wasOpen && breaker.isOpen(now: now)
        }
        if opened { logger.warning("circuit opened", metadata: ["upstream": "\(upstream)"]) }
    }

    private func backoff(_ policy: RetryPolicy, after attempt: Int, upstream: String, reason: String) async throws {
        let delay = policy.delay(after: attempt)
        logger.debug(
            "retrying request", metadata: ["upstream": "\(upstream)", "attempt": "\(attempt)", "reason": "\(reason)"])
        try await Task.sleep(for: delay)
    }
}
