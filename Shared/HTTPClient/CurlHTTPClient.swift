import Logging
import ServiceLifecycle
import Synchronization

/// The HTTP client every service uses to call another: libcurl's multi interface on one
/// owner thread, kept-alive connections, connect and total timeouts, retries with jittered
/// backoff for idempotent requests, a circuit breaker per upstream, and `X-Request-ID` and
/// `traceparent` propagation. Run it as a `Service` so it stops with the process.
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
    /// Streamed responses' own loop, made on first use: a stream holds its connection for as
    /// long as it lasts, so streams are not held to `maxConnectionsPerHost`, and they never
    /// queue behind, or hold up, ordinary requests.
    private let streamLoop = Mutex<CurlMultiLoop?>(nil)
    private let upstreams = Mutex<[String: Upstream]>([:])
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
        streamLoop.withLock { $0?.shutdown() }
    }

    /// Sends a request and returns the upstream's response, whatever its status.
    ///
    /// Throws ``HTTPClientError`` when no response came: after retries for idempotent
    /// requests, or at once when the upstream's circuit is open.
    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let request = propagatingContext(request)
        let upstream = request.upstreamKey
        let policy = request.retry ?? configuration.retry
        let attempts = request.isIdempotent ? policy.maxAttempts : 1
        var attempt = 1
        while true {
            try Task.checkCancellation()
            guard let metrics = allowRequest(to: upstream) else { throw HTTPClientError.circuitOpen(upstream: upstream) }
            do {
                let response = try await send(request, metrics: metrics)
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
        upstreams.withLock { $0[upstream]?.breaker.state ?? .closed(consecutiveFailures: 0) }
    }

    /// Waits for graceful shutdown, then stops the owner thread (`Service`).
    public func run() async throws {
        try? await gracefulShutdown()
        loop.shutdown()
        streamLoop.withLock { $0?.shutdown() }
    }

    /// Sends a request whose response body is read as it arrives (a `text/event-stream`):
    /// returns once the status and headers are in, with the body as a sequence of chunks that
    /// ends with the response. No total timeout applies; the transfer fails when nothing
    /// arrives for `idleTimeout`. Ending the iteration (or cancelling the task iterating)
    /// ends the transfer and closes its connection. Not retried.
    public func stream(_ request: HTTPClientRequest, idleTimeout: Duration) async throws -> HTTPClientStream {
        let request = propagatingContext(request)
        let upstream = request.upstreamKey
        guard let metrics = allowRequest(to: upstream) else { throw HTTPClientError.circuitOpen(upstream: upstream) }
        metrics.calls.increment()
        let loop = streamLoop.withLock { loop in
            if loop == nil { loop = CurlMultiLoop(maxConnectionsPerHost: 0, maxCachedConnections: 16) }
            return loop!
        }
        let id = loop.makeID()
        let (body, sink) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        sink.onTermination = { _ in loop.cancel(id) }
        let start = ContinuousClock.now
        do {
            let head = try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    loop.submit(.init(
                        id: id, request: request, connectTimeout: configuration.connectTimeout, timeout: idleTimeout,
                        continuation: continuation, bodySink: sink))
                }
            } onCancel: {
                loop.cancel(id)
            }
            metrics.duration.record(duration: ContinuousClock.now - start)
            record(failed: RetryPolicy.isFailure(status: head.status), upstream: upstream)
            return HTTPClientStream(status: head.status, headers: head.headers, body: body, cancel: { loop.cancel(id) })
        } catch let error as HTTPClientError {
            record(failed: true, upstream: upstream)
            throw error
        }
    }

    // MARK: Internals

    private func send(_ request: HTTPClientRequest, metrics: UpstreamMetrics) async throws -> HTTPClientResponse {
        let start = ContinuousClock.now
        metrics.calls.increment()
        defer { metrics.duration.record(duration: ContinuousClock.now - start) }
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

    /// The request with this task's request id and trace context, unless it names its own.
    private func propagatingContext(_ request: HTTPClientRequest) -> HTTPClientRequest {
        var request = request
        if request.header("X-Request-ID") == nil, let requestID = RequestIDPropagation.current {
            request.headers.append(("X-Request-ID", requestID))
        }
        if let trace = TraceContext.current, request.header("traceparent") == nil {
            request.headers.append(("traceparent", trace.traceparent))
        }
        return request
    }

    /// The upstream's metrics when its breaker lets a request through now, else `nil`.
    private func allowRequest(to upstream: String) -> UpstreamMetrics? {
        let now = ContinuousClock.now
        return upstreams.withLock { upstreams in
            var entry = upstreams[upstream] ?? Upstream(key: upstream, configuration: configuration.circuitBreaker)
            defer { upstreams[upstream] = entry }
            let allowed = entry.breaker.allowRequest(now: now)
            entry.metrics.publish(entry.breaker.state)
            return allowed ? entry.metrics : nil
        }
    }

    private func record(failed: Bool, upstream: String) {
        let now = ContinuousClock.now
        let opened = upstreams.withLock { upstreams -> Bool in
            guard var entry = upstreams[upstream] else { return false }
            let wasOpen = entry.breaker.isOpen(now: now)
            if failed {
                entry.breaker.recordFailure(now: now)
                entry.metrics.failures.increment()
            } else {
                entry.breaker.recordSuccess()
            }
            entry.metrics.publish(entry.breaker.state)
            upstreams[upstream] = entry
            return !wasOpen && entry.breaker.isOpen(now: now)
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
