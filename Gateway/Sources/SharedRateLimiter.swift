import Logging
import Metrics
import Redis
import Synchronization

/// The gateway's rate limits, shared by every replica when `RATE_LIMIT_REDIS_URL` names a
/// Redis server: each decision is one script on the server, a token bucket like
/// ``TokenBucket`` kept under `ratelimit:<key>` and timed by the server's clock, so N
/// replicas give a client its limit once, not N times.
///
/// When the server cannot be reached or answers late (`RATE_LIMIT_REDIS_TIMEOUT_MS`), the
/// replica decides from its own buckets (``RateLimiter``) and says so in its log, tries to
/// reconnect at most once a second, and says so again when the limits are shared once more.
/// Without a URL it only ever counts locally.
final class SharedRateLimiter: Sendable {
    private let local: RateLimiter
    private let url: RedisURL?
    private let timeout: Duration
    private let logger: Logger
    private let state = Mutex(State())
    private let localDecisions = Counter(label: "gateway_rate_limit_local_decisions_total")
    static let metricHelp = [
        "gateway_rate_limit_local_decisions_total": "Rate-limit decisions taken in this replica because the shared store was unreachable."
    ]

    private struct State {
        var connection: (redis: RedisConnection, script: String)?
        var connecting = false
        var lastAttempt: ContinuousClock.Instant?
        /// Whether limits were last known shared (for one log line on each change).
        var shared: Bool?
    }

    /// Takes a token, or reads the bucket without taking one (`peek`); returns what is left.
    /// `capacity` is per minute. Returns `{allowed (1/0), tokens left as text}`.
    static let script = """
        local capacity = tonumber(ARGV[1])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'capacity')
        local tokens, updated = tonumber(bucket[1]), tonumber(bucket[2])
        if tokens == nil or tonumber(bucket[3]) ~= capacity then tokens, updated = capacity, now end
        tokens = math.min(capacity, tokens + math.max(0, now - updated) * capacity / 60000000)
        local allowed = tokens >= 1
        if ARGV[2] ~= 'peek' then
          if allowed then tokens = tokens - 1 end
          redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', now, 'capacity', capacity)
          redis.call('PEXPIRE', KEYS[1], 61000)
        end
        return {allowed and 1 or 0, tostring(tokens)}
        """

    init(local: RateLimiter = RateLimiter(), url: RedisURL?, timeout: Duration = .milliseconds(250), logger: Logger) {
        self.local = local
        self.url = url
        self.timeout = timeout
        self.logger = logger
        reconnectIfDue()
    }

    func take(_ key: String, capacity: Int) async -> TokenBucket.Decision {
        await decide(key, capacity: capacity, peek: false)
    }

    /// Whether `key` has a token left, without taking it.
    func peek(_ key: String, capacity: Int) async -> TokenBucket.Decision {
        await decide(key, capacity: capacity, peek: true)
    }

    private func decide(_ key: String, capacity: Int, peek: Bool) async -> TokenBucket.Decision {
        if url != nil {
            if let connection = state.withLock({ $0.connection }) {
                do {
                    return try await evaluate(connection, key: key, capacity: max(1, capacity), peek: peek)
                } catch {
                    state.withLock { if $0.connection?.redis === connection.redis { $0.connection = nil } }
                    connection.redis.close()
                    note(shared: false, reason: "\(error)")
                }
            }
            reconnectIfDue()
            localDecisions.increment()
        }
        return peek ? local.peek(key, capacity: capacity) : local.take(key, capacity: capacity)
    }

    private func evaluate(
        _ connection: (redis: RedisConnection, script: String), key: String, capacity: Int, peek: Bool
    ) async throws -> TokenBucket.Decision {
        let arguments = ["1", "ratelimit:\(key)", String(capacity), peek ? "peek" : "take"]
        let answer: RESPValue
        do {
            answer = try await connection.redis.send(["EVALSHA", connection.script] + arguments)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            answer = try await connection.redis.send(["EVAL", Self.script] + arguments)
        }
        guard case .array(let values?) = answer, values.count == 2, case .integer(let allowed) = values[0],
              case .bulkString(let text?) = values[1], let tokens = Double(text)
        else { throw RedisError.protocolViolation("rate limit answer \(answer)") }
        return TokenBucket.decision(allowed: allowed == 1, tokens: tokens, capacity: capacity)
    }

    private func reconnectIfDue() {
        guard let url else { return }
        let due = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            guard !state.connecting, state.lastAttempt.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
            state.connecting = true
            state.lastAttempt = now
            return true
        }
        guard due else { return }
        Task { [self] in
            var connection: (redis: RedisConnection, script: String)?
            do {
                let redis = try await RedisConnection.connect(to: url, timeout: timeout)
                guard case .bulkString(let script?) = try await redis.send(["SCRIPT", "LOAD", Self.script]) else {
                    redis.close()
                    throw RedisError.protocolViolation("SCRIPT LOAD answer")
                }
                connection = (redis, script)
                note(shared: true, reason: nil)
            } catch {
                note(shared: false, reason: "\(error)")
            }
            state.withLock {
                $0.connection = connection
                $0.connecting = false
            }
        }
    }

    private func note(shared: Bool, reason: String?) {
        let changed = state.withLock { state -> Bool in
            defer { state.shared = shared }
            return state.shared != shared
        }
        guard changed, let url else { return }
        if shared {
            logger.info("rate limits shared through Redis", metadata: ["redis": "\(url.host):\(url.port)"])
        } else {
            logger.warning(
                "rate limit store unreachable: counting in this replica alone until it is back",
                metadata: ["redis": "\(url.host):\(url.port)", "reason": "\(reason ?? "")"])
        }
    }
}
