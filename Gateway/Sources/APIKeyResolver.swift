import Contracts
import Foundation
import HTTPClient
import Logging
import ServiceKit
import Synchronization

/// Resolves `X-API-Key` through the User service (`POST /internal/api-keys/resolve`), keeping
/// answers, known and unknown keys alike, for `ttl` (4 s), so a deleted or expired key stops
/// working within 5 seconds while a busy key costs one call every few seconds. A key that
/// resolved is also remembered as known for `knownFor` (10 minutes): not to let it in (only
/// a fresh answer does that) but to spare it the check that unknown keys get from an address
/// whose rate limit is spent (``EdgeMiddleware``).
final class APIKeyResolver: Sendable {
    private let users: InternalClient
    private let ttl: Duration
    private let knownFor: Duration
    private let cache = Mutex<[String: (key: ResolvedAPIKey?, expires: ContinuousClock.Instant)]>([:])
    private let known = Mutex<[String: ContinuousClock.Instant]>([:])

    init(
        users: InternalClient, ttl: Duration = .seconds(4), knownFor: Duration = .seconds(600)
    ) {
        self.users = users
        self.ttl = ttl
        self.knownFor = knownFor
    }

    /// Whether `key` resolved to a key lately (or its answer is still cached, known or not):
    /// asking about it does not cost a call for nothing.
    func isKnown(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        if let cached = cache.withLock({ $0[key] }), cached.expires > now { return true }
        return known.withLock { $0[key].map { $0 > now } ?? false }
    }

    /// The key's id, permissions and rate limit; `nil` for an unknown, deleted or expired key.
    /// Throws `upstream_unavailable` when the User service cannot be asked.
    func resolve(_ key: String) async throws -> ResolvedAPIKey? {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[key] }), cached.expires > now { return cached.key }
        let request = try users.request("POST", "/internal/api-keys/resolve", json: ["key": key])
        let response: HTTPClientResponse
        do {
            response = try await users.send(request)
        } catch {
            throw APIError.upstreamUnavailable("the user service cannot check API keys")
        }
        let resolved: ResolvedAPIKey?
        switch response.status {
        case 200: resolved = try response.decode(ResolvedAPIKey.self)
        case 404: resolved = nil
        default: throw APIError.upstreamUnavailable("the user service cannot check API keys")
        }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (resolved, now + ttl)
        }
        known.withLock { known in
            if known.count > 10_000 { known = known.filter { $0.value > now } }
            known[key] = resolved == nil ? nil : now + knownFor
        }
        return resolved
    }
}
