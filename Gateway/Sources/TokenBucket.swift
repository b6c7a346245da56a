import Primitives
/// A token bucket for one client, as a value type with no clock of its own: it holds up to
/// `capacity` tokens and refills `capacity` per minute, evenly. A request takes one token.
struct TokenBucket: Sendable, Equatable {
    let capacity: Int
    private(set) var tokens: Double
    private(set) var updated: ContinuousClock.Instant

    init(capacity: Int, now: ContinuousClock.Instant) {
        self.capacity = max(1, capacity)
        self.tokens = Double(self.capacity)
        self.updated = now
    }

    /// What a request was told.
    struct Decision: Sendable, Equatable {
        let allowed: Bool
        let limit: Int
        /// Whole tokens left after this request.
        let remaining: Int
        /// Seconds until the bucket is full again.
        let resetSeconds: Int
        /// Seconds until a refused request may try again (0 when allowed).
        let retryAfterSeconds: Int
    }

    private var refillPerSecond: Double { Double(capacity) / 60 }

    mutating func take(now: ContinuousClock.Instant) -> Decision {
        refill(now: now)
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        return decision(allowed: allowed)
    }

    /// What a request would be told, without taking a token.
    mutating func peek(now: ContinuousClock.Instant) -> Decision {
        refill(now: now)
        return decision(allowed: tokens >= 1)
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = now - updated
        let seconds = elapsed.inSeconds
        tokens = min(Double(capacity), tokens + max(0, seconds) * refillPerSecond)
        updated = now
    }

    private func decision(allowed: Bool) -> Decision {
        Self.decision(allowed: allowed, tokens: tokens, capacity: capacity)
    }

    /// What a request is told when a bucket of `capacity` holds `tokens` after it (also for
    /// buckets kept elsewhere: ``SharedRateLimiter``).
    static func decision(allowed: Bool, tokens: Double, capacity: Int) -> Decision {
        let refillPerSecond = Double(capacity) / 60
        let reset = Int(((Double(capacity) - tokens) / refillPerSecond).rounded(.up))
        let retry = allowed ? 0 : max(1, Int(((1 - tokens) / refillPerSecond).rounded(.up)))
        return Decision(allowed: allowed, limit: capacity, remaining: Int(tokens), resetSeconds: reset, retryAfterSeconds: retry)
    }

    /// Whether the bucket has refilled completely and can be forgotten.
    func isFull(now: ContinuousClock.Instant) -> Bool {
        let elapsed = now - updated
        return tokens + elapsed.inSeconds * refillPerSecond >= Double(capacity)
    }
}
