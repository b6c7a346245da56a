import Synchronization

/// Token buckets per client key (`ip:…`, `user:…`, `key:…`), in memory. Full buckets are
/// forgotten now and then, so memory follows the number of recently active clients.
/// Each gateway replica limits on its own (see the README on several replicas).
final class RateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let sweepEvery = 4096
    private let requests = Mutex(0)

    func take(_ key: String, capacity: Int, now: ContinuousClock.Instant = .now) -> TokenBucket.Decision {
        let sweep = requests.withLock { count -> Bool in
            count += 1
            return count % sweepEvery == 0
        }
        return buckets.withLock { buckets in
            if sweep { buckets = buckets.filter { !$0.value.isFull(now: now) } }
            var bucket = buckets[key].flatMap { $0.capacity == capacity ? $0 : nil } ?? TokenBucket(capacity: capacity, now: now)
            let decision = bucket.take(now: now)
            buckets[key] = bucket
            return decision
        }
    }

}
