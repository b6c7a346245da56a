import Metrics
import NIOCore
import Postgres
import Synchronization

/// The public view of active products (what anonymous callers and customers get from
/// `GET /api/v1/products/{id}`), by id, as the JSON body the route answers with.
///
/// It is only trusted while it is told of every change: a trigger on `products` announces
/// each changed id (`NOTIFY product_changed`, see the migration), which every replica of the
/// service hears through a ``PostgresNotificationListener``; the replica that made a change
/// also forgets the product itself as soon as its transaction commits, so its own next read
/// is fresh. While the listener is not connected nothing is served from or kept in the cache.
///
/// A read that raced a change must not keep what it read: it takes a ``Ticket`` before going
/// to the database, and the answer is kept only if no change at all arrived meanwhile.
/// Entries are evicted first in, first out beyond `capacity` (0 turns the cache off).
final class ProductCache: Sendable {
    static let channel = "product_changed"
    static let metricHelp = [
        "product_cache_lookups_total": "Product reads looked up in the cache, by result (hit or miss).",
        "product_cache_entries": "Products held in the cache.",
    ]

    struct Ticket {
        fileprivate let generation: UInt64
    }

    private struct State {
        var entries: [Int: ByteBuffer] = [:]
        /// Ids in the order they were stored, for eviction; `next` is the slot to reuse.
        var order: [Int] = []
        var next = 0
        /// Advanced by every change; tickets from before it are refused.
        var generation: UInt64 = 0
        /// Whether the listener is connected (and so every change is heard).
        var trusted = false
    }

    let capacity: Int
    private let state = Mutex(State())
    private let hits = Counter(label: "product_cache_lookups_total", dimensions: [("result", "hit")])
    private let misses = Counter(label: "product_cache_lookups_total", dimensions: [("result", "miss")])
    private let entries = Gauge(label: "product_cache_entries")

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isEnabled: Bool { capacity > 0 }

    /// The cached body of an active product, if the cache holds it and is trusted.
    func body(of id: Int) -> ByteBuffer? {
        guard isEnabled else { return nil }
        let body = state.withLock { $0.trusted ? $0.entries[id] : nil }
        (body == nil ? misses : hits).increment()
        return body
    }

    /// Taken before reading a product from the database, to keep what was read.
    func ticket() -> Ticket {
        Ticket(generation: state.withLock { $0.generation })
    }

    /// Keeps a product's body, unless a change arrived since `ticket` was taken.
    func keep(_ body: ByteBuffer, of id: Int, ticket: Ticket) {
        guard isEnabled else { return }
        let count = state.withLock { state -> Int? in
            guard state.trusted, state.generation == ticket.generation, state.entries[id] == nil else { return nil }
            if state.order.count < capacity {
                state.order.append(id)
            } else {
                state.entries[state.order[state.next]] = nil
                state.order[state.next] = id
                state.next = (state.next + 1) % capacity
            }
            state.entries[id] = body
            return state.entries.count
        }
        if let count { entries.record(count) }
    }

    /// Forgets products that changed.
    func forget<Ids: Sequence<Int>>(_ ids: Ids) {
        let count = state.withLock { state in
            state.generation &+= 1
            for id in ids { state.entries[id] = nil }
            return state.entries.count
        }
        entries.record(count)
    }

    /// Forgets everything, and says whether changes are heard from now on.
    func forgetAll(trusted: Bool) {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
            state.order.removeAll()
            state.next = 0
            state.trusted = trusted
        }
        entries.record(0)
    }

    /// What the listener reports: a product's id, `*` for all of them (`TRUNCATE`), or a lost connection.
    func apply(_ event: PostgresNotificationListener.Event) {
        switch event {
        case .listening:
            forgetAll(trusted: true)
        case .interrupted:
            forgetAll(trusted: false)
        case .notification(let payload):
            if let id = Int(payload) { forget([id]) } else { forgetAll(trusted: true) }
        }
    }

    /// Number of products held (for tests).
    var count: Int { state.withLock { $0.entries.count } }
}
