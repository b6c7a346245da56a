import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `GET /api/v1/orders/events` and `GET /api/v1/orders/{id}/events`: an order's changes (or
/// those of the caller's orders; an admin's or `orders:read` key's: everyone's, or one
/// user's with `?user_uid=`) as Server-Sent Events, from ``OrderEventFeed``.
///
/// Each event is `id:` (the change's id in `order_events`), `event:` (its kind) and `data:`
/// (the order as `GET /api/v1/orders/{id}` shows it when the event is sent). With
/// `Last-Event-ID` (or `?last_event_id=`) a stream resumes after that event from the
/// history. Otherwise it starts with the current state: the order, as `order.<status>`; for
/// the list, a `ready` event whose id is where a client resumes from.
struct OrderEventsController: Sendable {
    let feed: OrderEventFeed

    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    func addRoutes(to routes: RouterGroup<ServiceRequestContext>) {
        routes.get("events", use: all)
        routes.get(":id/events", use: one)
    }

    @Sendable func all(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requireUser(orPermission: .ordersRead)
        let key: OrderStreamKey =
            principal.may(.ordersRead) ? (try request.query("user_uid")).map(OrderStreamKey.user) ?? .all : .user(principal.uid)
        let resumeAfter = try Self.lastEventID(request)
        let (stream, watermark) = try await feed.subscribe(key)
        return .eventStream(request, context: context, stream: stream) { emit in
            guard let resumeAfter else {
                try await emit(.event(id: String(watermark), kind: "ready", data: #"{"last_event_id":\#(watermark)}"#))
                return
            }
            try await replay(key, after: resumeAfter, through: watermark, emit: emit)
        }
    }

    @Sendable func one(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try context.id()
        let principal = try context.requireUser(orPermission: .ordersRead)
        let resumeAfter = try Self.lastEventID(request)
        // Registered before the order is read: a change after that read comes live.
        let (stream, watermark) = try await feed.subscribe(.order(id))
        guard let current = try await feed.order(id), OrderStore.isVisible(current.order, to: principal) else {
            stream.close()
            throw APIError.notFound("order")
        }
        return .eventStream(request, context: context, stream: stream) { emit in
            guard let resumeAfter else {
                return try await emit(.event(id: String(watermark), kind: "order.\(current.order.status)", data: current.json))
            }
            try await replay(.order(id), after: resumeAfter, through: watermark, emit: emit)
        }
    }

    private func replay(
        _ key: OrderStreamKey, after first: Int, through last: Int, emit: (ServerSentEvent) async throws -> Void
    ) async throws {
        try await feed.history(key, after: first, through: last) { event in
            guard let order = try await feed.order(event.orderID) else { return }
            try await emit(.event(id: String(event.id), kind: event.kind, data: order.json))
        }
    }

    /// `Last-Event-ID`, else `?last_event_id=`: a non-negative integer; 400 otherwise.
    static func lastEventID(_ request: Request) throws -> Int? {
        guard let text = try request.headers[lastEventID] ?? request.query("last_event_id") else { return nil }
        guard let id = Int(text.trimmingCharacters(in: .whitespaces)), id >= 0 else {
            throw APIError.badRequest("Last-Event-ID must be the id of an event (a non-negative integer)")
        }
        return id
    }
}
