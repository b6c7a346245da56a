import Contracts
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Sends a product's stock, price and status, whenever one of them changes, to the streams
/// of `GET /api/v1/products/{id}/events` on this replica. It hears every change, whichever
/// replica (or `psql`) made it, from the notifications the cache listens to (`NOTIFY
/// product_changed`): for a product someone follows, it reads the public view again and
/// sends it if those fields differ from what it sent last. A product that is no longer
/// active (deleted, drafted, discontinued) gets `product.removed` and its streams end.
final class ProductEventFeed: Service, Sendable {
    /// Stock, price and status: what a change must touch to be sent.
    struct Shown: Equatable {
        var price: Money
        var stock: Int
        var status: String

        init(_ product: ProductResponse) {
            price = product.price
            stock = product.stock
            status = product.status
        }
    }

    /// The streams; run it in the service group too (their heartbeats, their end at shutdown).
    let hub: EventHub<Int>
    private let store: ProductStore
    private let logger: Logger
    /// Products to read again; `nil` for every followed one (after a lost connection or a `TRUNCATE`).
    private let changes: AsyncStream<Int?>.Continuation
    private let changed: AsyncStream<Int?>
    /// What was sent last, by product, while the product is followed.
    private let lastShown = Mutex<[Int: Shown]>([:])

    init(store: ProductStore, heartbeat: Duration, logger: Logger) {
        self.store = store
        self.hub = EventHub(label: "products", heartbeat: heartbeat)
        self.logger = logger
        (changed, changes) = AsyncStream.makeStream()
    }

    /// What the listener on `product_changed` reports.
    func apply(_ event: PostgresNotificationListener.Event) {
        switch event {
        case .listening:
            changes.yield(nil)  // changes made while it was away were not announced
        case .interrupted:
            break
        case .notification(let payload):
            if let id = Int(payload) {
                if hub.isFollowed(id) { changes.yield(id) }
            } else {
                changes.yield(nil)  // TRUNCATE
            }
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await id in changed { await refresh(id.map { [$0] } ?? followed()) }
        } onGracefulShutdown: {
            self.changes.finish()
        }
    }

    /// Registers a stream for an active product; returns it with the product's current public
    /// view, or `nil` (404) when the product is not active.
    func subscribe(_ id: Int) async throws -> (EventHub<Int>.Stream, ProductResponse)? {
        let stream = hub.subscribe(id)
        guard let product = try await store.get(id, admin: false) else {
            stream.close()
            return nil
        }
        lastShown.withLock { shown in
            if shown[id] == nil { shown[id] = Shown(product) }
        }
        return (stream, product)
    }

    static func event(_ product: ProductResponse) -> ServerSentEvent {
        .event(id: nil, kind: "product.updated", data: product.jsonText)
    }

    /// The products followed now; forgets what was sent for the others.
    private func followed() -> [Int] {
        lastShown.withLock { shown in
            shown = shown.filter { hub.isFollowed($0.key) }
            return Array(shown.keys)
        }
    }

    private func refresh(_ ids: [Int]) async {
        for id in ids {
            let recipients = hub.recipients([id])
            guard !recipients.isEmpty else {
                lastShown.withLock { _ = $0.removeValue(forKey: id) }
                continue
            }
            do {
                guard let product = try await store.get(id, admin: false) else {
                    hub.send(.event(id: nil, kind: "product.removed", data: #"{"id":\#(id)}"#), to: recipients)
                    hub.close(recipients)
                    lastShown.withLock { _ = $0.removeValue(forKey: id) }
                    continue
                }
                let shown = Shown(product)
                let changed = lastShown.withLock { last in
                    defer { last[id] = shown }
                    return last[id] != shown
                }
                if changed { hub.send(Self.event(product), to: recipients) }
            } catch {
                // The followers would miss this change: their streams end, and clients reconnect.
                logger.warning("product change not read", metadata: ["product": "\(id)", "error": "\(error)"])
                hub.close(recipients)
            }
        }
    }
}
