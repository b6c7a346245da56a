import Synchronization

/// Token buckets per client key (`ip:…`, `user:…`, `key:…`), in memory. Full buckets are
/// forgotten now and then, so memory follows the number of recently active clients.
/// One replica's own counts; ``SharedRateLimiter`` puts them in Redis when it is configured.
final class RateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let sweepEvery = 4096
    private let requests = Mutex(0)

    func take(_ key: String, capacity: Int, now: ContinuousClock.Instant = .now) -> TokenBucket.Decision {
        update(key, capacity: capacity, now: now) { $0.take(now: now) }
    }

    /// Whether `key` has a token left, without taking it.
    func peek(_ key: String, capacity: Int, now: ContinuousClock.Instant = .now) -> TokenBucket.Decision {
        update(key, capacity: capacity, now: now) { $0.peek(now: now) }
    }

    private func update(
        _ key: String, capacity: Int, now: ContinuousClock.Instant, _ body: (inout TokenBucket) -> TokenBucket.Decision
    ) -> TokenBucket.Decision {
        let sweep = requests.withLock { count -> Bool in
            count += 1
            return count % sweepEvery == 0
        }
        return buckets.withLock { buckets in
            if sweep { buckets = buckets.filter { !$0.value.isFull(now: now) } }
            var bucket = buckets[key].flatMap { $0.capacity == capacity ? $0 : nil } ?? TokenBucket(capacity: capacity, now: now)
            let decision = body(&bucket)
            buckets[key] = bucket
            return decision
        }
    }

}
