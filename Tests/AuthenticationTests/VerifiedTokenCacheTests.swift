import Foundation
import ServiceKit
import Testing

@testable import Authentication

@Suite("Verified-token cache")
struct VerifiedTokenCacheTests {
    let alice = Principal(uid: "alice", roles: ["customer"], sessionID: "s-1")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func anEntryLastsUntilTheTokenExpiresAndNoLongerThanItsLifetime() {
        let cache = VerifiedTokenCache(capacity: 10, lifetime: 60)
        cache.store(alice, for: "short", expiresAt: now.addingTimeInterval(10), now: now)
        cache.store(alice, for: "long", expiresAt: now.addingTimeInterval(3600), now: now)
        #expect(cache.principal(for: "short", now: now.addingTimeInterval(9)) == alice)
        #expect(cache.principal(for: "short", now: now.addingTimeInterval(10)) == nil)
        #expect(cache.principal(for: "long", now: now.addingTimeInterval(59)) == alice)
        #expect(cache.principal(for: "long", now: now.addingTimeInterval(60)) == nil)
        #expect(cache.principal(for: "other", now: now) == nil)
    }

    @Test func anExpiredTokenIsNotKept() {
        let cache = VerifiedTokenCache(capacity: 10, lifetime: 60)
        cache.store(alice, for: "expired", expiresAt: now.addingTimeInterval(-1), now: now)
        #expect(cache.principal(for: "expired", now: now) == nil)
    }

    @Test func aFullCacheDropsItsOldestEntries() {
        let cache = VerifiedTokenCache(capacity: 4, lifetime: 60)
        for index in 0..<5 {
            cache.store(alice, for: "t\(index)", expiresAt: now.addingTimeInterval(600), now: now)
        }
        #expect(cache.principal(for: "t0", now: now) == nil)
        #expect(cache.principal(for: "t1", now: now) == nil)
        #expect(cache.principal(for: "t4", now: now) == alice)
        #expect(cache.principal(for: "t3", now: now) == alice)
    }
}
