import Contracts
import Foundation
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle
import Synchronization

/// What an order event stream follows.
enum OrderStreamKey: Hashable, Sendable {
    case order(Int)
    case user(String)
    case all
}

/// One row of `order_events`: a change of an order's status or payment status.
struct OrderEvent: Sendable {
    let id: Int
    let orderID: Int
    let userUID: String
    let kind: String

    init(_ row: PostgresRow) throws {
        id = try row.decode("id")
        orderID = try row.decode("order_id")
        userUID = try row.decode("user_uid")
        kind = try row.decode("kind")
    }
}

/// Sends each committed change of an order to the streams that follow it, on every replica:
/// a trigger writes the change to `order_events` and announces it (`NOTIFY order_events`,
/// migration 0006); this process reads the rows past its watermark, in id order, and
/// publishes each to the ``EventHub`` with the order as `GET /api/v1/orders/{id}` shows it.
///
/// Ids are taken when a transaction writes, not when it commits, so a lower id can commit
/// after a higher one. The feed therefore publishes only the next id after its watermark:
/// at a gap it waits (up to `gapPatience`) for the missing id to commit, and after that
/// takes it for a transaction that rolled back. A stream resuming from history reads the
/// table up to the watermark it was registered at, so every event reaches it once: from
/// history or live, never both. Notifications only wake the feed (those of 10 ms together,
/// and only while streams are open); it also looks every `pollInterval`, so one lost with a
/// dropped connection is late, not lost.
final class OrderEventFeed: Service, Sendable {
    static let channel = "order_events"

    /// The streams; run it in the service group too (their heartbeats, their end at shutdown).
    let hub: EventHub<OrderStreamKey>
    private let pool: PostgresPool
    private let pollInterval: Duration
    private let gapPatience: Duration
    private let ready: SchemaReadiness
    private let logger: Logger
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    /// The highest id published (or known to be past), `nil` until first read.
    private let watermark = Mutex<Int?>(nil)

    init(
        pool: PostgresPool, heartbeat: Duration, ready: SchemaReadiness, logger: Logger,
        pollInterval: Duration = .seconds(1), gapPatience: Duration = .seconds(1)
    ) {
        self.pool = pool
        self.hub = EventHub(label: "orders", heartbeat: heartbeat)
        self.pollInterval = pollInterval
        self.gapPatience = gapPatience
        self.ready = ready
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// What the listener on ``channel`` reports: news wakes the feed while streams are open.
    /// With none open, the feed only looks once every `pollInterval`, keeping its watermark
    /// close behind, rather than read the table after every order's every change.
    func apply(_ event: PostgresNotificationListener.Event) {
        if case .interrupted = event { return }
        if hub.count > 0 { wake.yield() }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await repeatUntilStopped(every: self.pollInterval, after: self.ready) { self.wake.yield() } }
                group.addTask {
                    for await _ in self.wakes {
                        // The notifications of 10 ms are read with one query, not one each.
                        try? await Task.sleep(for: .milliseconds(10))
                        await self.publishCommitted()
                    }
                }
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
    }

    // MARK: Streams

    /// Registers a stream under `key`; returns it with the watermark it starts after: events
    /// up to that id are the history, later ones come live. The feed first catches up with
    /// every change committed before this call (it lags while no stream is open), so what a
    /// stream starts with already holds them and none of them comes again as live.
    func subscribe(_ key: OrderStreamKey) async throws -> (EventHub<OrderStreamKey>.Stream, after: Int) {
        let start = try await startingWatermark()
        let committed = try await highestCommitted()
        let deadline = ContinuousClock.now + gapPatience * 3
        while (watermark.withLock { $0 } ?? start) < committed, ContinuousClock.now < deadline {
            wake.yield()
            try await Task.sleep(for: .milliseconds(5))
        }
        return watermark.withLock { watermark in
            (hub.subscribe(key), watermark ?? start)
        }
    }

    /// The events of `key` with ids after `first` up to `last`, oldest first, a page at a time.
    func history(_ key: OrderStreamKey, after first: Int, through last: Int, emit: (OrderEvent) async throws -> Void) async throws {
        var after = first
        while after < last {
            var query: PostgresQuery = "SELECT id, order_id, user_uid, kind FROM order_events WHERE id > \(after) AND id <= \(last)"
            switch key {
            case .order(let id): query.append(" AND order_id = \(id)")
            case .user(let uid): query.append(" AND user_uid = \(uid)")
            case .all: break
            }
            query.append(" ORDER BY id LIMIT 500")
            let events = try await pool.query(query).map(OrderEvent.init)
            for event in events { try await emit(event) }
            guard let lastRead = events.last, events.count == 500 else { return }
            after = lastRead.id
        }
    }

    /// The order, and the order as `GET /api/v1/orders/{id}` shows it as JSON text.
    func order(_ id: Int) async throws -> (order: OrderResponse, json: String)? {
        guard let order = try await pool.withConnection({ try await OrderStore.order(id, on: $0) }) else { return nil }
        return (order, String(decoding: try contractEncoder.encode(order), as: UTF8.self))
    }

    // MARK: Publishing

    /// The highest id committed now.
    private func highestCommitted() async throws -> Int {
        try await pool.query("SELECT coalesce(max(id), 0)::bigint AS id FROM order_events").first?.decode("id", as: Int.self) ?? 0
    }

    private func startingWatermark() async throws -> Int {
        if let known = watermark.withLock({ $0 }) { return known }
        let highest = try await highestCommitted()
        return watermark.withLock { watermark in
            if watermark == nil { watermark = highest }
            return watermark!
        }
    }

    /// Publishes the committed events past the watermark, in order.
    private func publishCommitted() async {
        var gapSeen: ContinuousClock.Instant?
        do {
            var after = try await startingWatermark()
            while !Task.isStopping {
                let events = try await pool.query(
                    "SELECT id, order_id, user_uid, kind FROM order_events WHERE id > \(after) ORDER BY id LIMIT 500"
                ).map(OrderEvent.init)
                for event in events {
                    if event.id != after + 1 {
                        let since = gapSeen ?? ContinuousClock.now
                        gapSeen = since
                        if ContinuousClock.now - since < gapPatience {
                            try await Task.sleep(for: .milliseconds(20))
                            break
                        }
                        logger.debug("order event ids skipped", metadata: ["after": "\(after)", "next": "\(event.id)"])
                    }
                    gapSeen = nil
                    try await publish(event)
                    after = event.id
                }
                if gapSeen == nil, events.count < 500 { return }
            }
        } catch {
            if !Task.isStopping { logger.warning("order events not read", metadata: ["error": "\(error)"]) }
        }
    }

    private func publish(_ event: OrderEvent) async throws {
        let recipients = watermark.withLock { watermark in
            watermark = event.id
            return hub.recipients([.order(event.orderID), .user(event.userUID), .all])
        }
        guard !recipients.isEmpty else { return }
        do {
            guard let order = try await order(event.orderID) else { return }
            hub.send(.event(id: String(event.id), kind: event.kind, data: order.json), to: recipients)
        } catch {
            // Unsent, the event would be lost to these streams: they end, and their clients
            // resume from the history with Last-Event-ID.
            hub.close(recipients)
            throw error
        }
    }
}
