import Foundation
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import Gateway
@testable import Redis

/// ``SharedRateLimiter`` against a real redis-server: replicas share one budget, and a
/// replica that loses the server counts alone, says so, and shares again once it is back.
@Suite("Rate limits shared through Redis")
struct SharedRateLimiterTests {
    @Test func twoReplicasGiveAClientItsLimitOnce() async throws {
        try await TestRedisServer.with { redis in
            let (a, b) = (try await connectedLimiter(redis), try await connectedLimiter(redis))
            let client = "ip:198.51.100.\(Int.random(in: 1...254))-\(UUID().uuidString.prefix(6))"
            var allowed = 0
            for index in 0..<40 where await (index.isMultiple(of: 2) ? a : b).limiter.take(client, capacity: 20).allowed {
                allowed += 1
            }
            #expect(allowed == 20, "two replicas together allowed \(allowed) of a limit of 20")
            let next = await a.limiter.take(client, capacity: 20)
            #expect(!next.allowed && next.remaining == 0 && next.retryAfterSeconds >= 1)
            #expect(try await redis.command("EXISTS 'ratelimit:\(client)'").contains("1"))
        }
    }

    @Test func aReplicaThatLosesTheStoreCountsAloneSaysSoAndSharesAgainLater() async throws {
        try await TestRedisServer.with { redis in
            let replica = try await connectedLimiter(redis)
            await redis.kill()
            let alone = await replica.limiter.take("ip:192.0.2.1", capacity: 5)
            #expect(alone.allowed && alone.limit == 5, "with the store gone, requests are still decided (locally)")
            #expect(replica.log.contains { $0.contains("rate limit store unreachable") })

            try await redis.restart()
            let shared = try await waitUntilShared(replica.limiter, redis)
            #expect(shared, "the replica went back to the store once it was up again")
            #expect(replica.log.contains { $0.contains("rate limits shared through Redis") })
        }
    }

    @Test func aStoreThatStopsAnsweringIsTreatedAsGone() async throws {
        try await TestRedisServer.with { redis in
            let replica = try await connectedLimiter(redis, timeout: .milliseconds(200))
            redis.pause()
            defer { redis.resume() }
            let decision = await replica.limiter.take("ip:192.0.2.2", capacity: 5)
            #expect(decision.allowed, "a frozen store must not hold requests: the replica decides alone")
            #expect(replica.log.contains { $0.contains("rate limit store unreachable") && $0.contains("closed or timed out") })
        }
    }

    /// The suites run as root, which may set any socket option; the gateway's container user may
    /// not. So read back what a connection set: TCP_NODELAY at IPPROTO_TCP, and not SO_DEBUG (the
    /// same number at SOL_SOCKET, refused with EACCES to an unprivileged user).
    @Test func aConnectionSetsNoDelayAndNoPrivilegedOption() async throws {
        try await TestRedisServer.with { redis in
            let connection = try await RedisConnection.connect(to: RedisURL(parsing: redis.url), timeout: .seconds(2))
            defer { connection.close() }
            let debug = ChannelOptions.Types.SocketOption(level: .socket, name: NIOBSDSocket.Option(rawValue: SO_DEBUG))
            #expect(try await connection.channel.getOption(.tcpOption(.tcp_nodelay)).get() == 1)
            #expect(try await connection.channel.getOption(debug).get() == 0)
        }
    }

    /// A command on a connection the server has closed fails at once instead of waiting for
    /// an answer that cannot come (what froze the gateway when its Redis container stopped).
    @Test func aCommandOnAClosedConnectionFailsAtOnce() async throws {
        try await TestRedisServer.with { redis in
            let connection = try await RedisConnection.connect(to: RedisURL(parsing: redis.url), timeout: .seconds(30))
            defer { connection.close() }
            await redis.kill()
            try await connection.channel.closeFuture.get()
            // Not a task group: that would wait for a send that never returns.
            let outcome = Mutex<String?>(nil)
            Task {
                let text: String
                do { text = "answered \(try await connection.send(["PING"]))" } catch { text = "\(error)" }
                outcome.withLock { $0 = text }
            }
            let settled = try await eventually(within: 5) { outcome.withLock { $0 } != nil }
            #expect(settled, "no answer within 5 s: the command hangs")
            #expect(outcome.withLock { $0 } == "\(RedisError.connectionClosed)")
        }
    }

    /// Over HTTP: two gateways on one Redis give the anonymous limit once between them.
    @Test func twoGatewaysShareTheAnonymousLimit() async throws {
        try await TestRedisServer.with { redis in
            try await withEdges(2, ["RATE_LIMIT_ANON_PER_MINUTE": "10", "RATE_LIMIT_REDIS_URL": redis.url]) { gateways in
                let (a, b) = (gateways[0].client, gateways[1].client)
                // Each gateway connects on its own: wait until both decide in Redis, then start counting from zero.
                let token = try await login(a, admin: false)
                let uid = try #require(subject(of: token))
                try await waitForKey("ratelimit:user:\(uid)", redis) { _ = try await b.send("/api/v1/products", .get, headers: bearer(token)) }
                try await waitForKey("ratelimit:ip:127.0.0.1", redis) { _ = try await a.send("/api/v1/products", .get) }
                _ = try await redis.command("FLUSHALL")

                var statuses: [Int] = []
                for index in 0..<30 {
                    statuses.append(Int(try await (index.isMultiple(of: 2) ? a : b).send("/api/v1/products", .get).status.code))
                }
                #expect(statuses.prefix(10).allSatisfy { $0 == 200 }, "\(statuses)")
                #expect(statuses.dropFirst(10).allSatisfy { $0 == 429 }, "two gateways allowed more than the limit once: \(statuses)")
            }
        }
    }

    @Test func redisURLs() throws {
        let full = try RedisURL(parsing: "redis://alice:p%40ss@cache.internal:6380/2")
        #expect(full == RedisURL(host: "cache.internal", port: 6380, user: "alice", password: "p@ss", database: 2))
        // Decoded once: an encoded `%` stays a `%`.
        #expect(try RedisURL(parsing: "redis://:p%2540ss@redis").password == "p%40ss")
        #expect(try RedisURL(parsing: "redis://:secret@127.0.0.1") == RedisURL(host: "127.0.0.1", port: 6379, password: "secret"))
        #expect(try RedisURL(parsing: "redis://redis") == RedisURL(host: "redis", port: 6379))
        for bad in ["rediss://redis:6379", "http://redis", "redis://", "redis://host:0", "redis://host/x"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisURL(parsing: bad) }
        }
    }
}

struct LimiterUnderTest {
    let limiter: SharedRateLimiter
    let lines: LogLines
    var log: [String] { lines.all }
}

/// A limiter on `redis`, returned once its decisions are made there.
func connectedLimiter(_ redis: TestRedisServer, timeout: Duration = .milliseconds(250)) async throws -> LimiterUnderTest {
    let lines = LogLines()
    let logger = Logger(label: "shared-rate-limiter") { _ in CapturingLogHandler(lines: lines) }
    let limiter = SharedRateLimiter(url: try RedisURL(parsing: redis.url), timeout: timeout, logger: logger)
    guard try await waitUntilShared(limiter, redis) else { throw TestSetupError("the limiter never reached \(redis.url)") }
    return LimiterUnderTest(limiter: limiter, lines: lines)
}

/// The `sub` claim of a JWT (read, not verified).
func subject(of token: String) -> String? {
    let parts = token.split(separator: ".")
    guard parts.count == 3 else { return nil }
    var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
    guard let data = Data(base64Encoded: payload),
          let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
    return claims["sub"] as? String
}

/// Repeats `request` until `key` exists in Redis (5 s at most).
func waitForKey(_ key: String, _ redis: TestRedisServer, _ request: () async throws -> Void) async throws {
    for _ in 0..<100 {
        try await request()
        if try await redis.command("EXISTS '\(key)'").contains("1") { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestSetupError("\(key) never appeared in Redis")
}

/// Takes from throwaway buckets until one shows up in Redis; false after 5 s.
func waitUntilShared(_ limiter: SharedRateLimiter, _ redis: TestRedisServer) async throws -> Bool {
    for _ in 0..<100 {
        let probe = "probe-\(UUID().uuidString)"
        _ = await limiter.take(probe, capacity: 1000)
        if try await redis.command("EXISTS 'ratelimit:\(probe)'").contains("1") { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}

final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let fields = (metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        lines.append("\(level) \(message) \(fields)")
    }
}
