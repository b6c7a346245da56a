import Primitives
/// When and how soon a failed idempotent request is tried again: exponential backoff with
/// full jitter (a random delay up to the capped exponential), so retries from many callers spread out.
public struct RetryPolicy: Sendable {
    /// Tries in all, the first included (1 = no retry).
    public var maxAttempts: Int
    /// The delay cap before the second try.
    public var baseDelay: Duration
    /// The largest delay cap.
    public var maxDelay: Duration

    /// Creates a policy.
    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(25), maxDelay: Duration = .milliseconds(500)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The delay before try number `attempt + 1` (`attempt` ≥ 1).
    func delay(after attempt: Int) -> Duration {
        let cap = min(maxDelay, baseDelay * (1 << min(attempt - 1, 16)))
        return .microseconds(Int.random(in: 0...max(0, cap.wholeMicroseconds)))
    }

    /// Whether a response counts against the upstream's circuit breaker: it broke (500) or a
    /// proxy behind it could not reach it (502, 504). A 503 is the upstream answering that a
    /// dependency of its own is unavailable, so it does not trip the breaker in front of it.
    static func isFailure(status: Int) -> Bool {
        status == 500 || status == 502 || status == 504
    }

    /// Whether a response status is worth another try (the upstream said it is briefly unable).
    static func isRetryable(status: Int) -> Bool {
        status == 502 || status == 503 || status == 504
    }
}
