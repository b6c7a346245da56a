import Foundation
import ServiceKit
import Synchronization

/// Tokens whose signature and claims were checked recently, with the principal they gave.
///
/// A client sends the same bearer token on every request, and each service on the way (the
/// gateway, then the service) would check its ES256 signature again. A hit needs the exact
/// token text; an entry lives until the token expires and at most `lifetime`, so a signing
/// key withdrawn from the JWKS stops being honoured for seen tokens within that time too.
/// Only successes are kept. When full, the oldest half is dropped.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let principal: Principal
        let validUntil: Date
        let stored: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var stores: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let lifetime: TimeInterval

    init(capacity: Int = 10_000, lifetime: TimeInterval = 60) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    func principal(for token: String, now: Date = Date()) -> Principal? {
        state.withLock { state in
            guard let entry = state.entries[token] else { return nil }
            guard now < entry.validUntil else {
                state.entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    func store(_ principal: Principal, for token: String, expiresAt: Date, now: Date = Date()) {
        let validUntil = min(expiresAt, now.addingTimeInterval(lifetime))
        guard validUntil > now else { return }
        state.withLock { state in
            if state.entries.count >= capacity {
                let cutoff = state.stores - UInt64(capacity / 2)
                state.entries = state.entries.filter { $0.value.stored > cutoff && $0.value.validUntil > now }
            }
            state.stores += 1
            state.entries[token] = Entry(principal: principal, validUntil: validUntil, stored: state.stores)
        }
    }
}
