import Hummingbird
import ServiceKit

/// `GET /api/v1/products/{id}/events` (anyone; active products only): the product's public
/// view as Server-Sent Events, first as it is now, then whenever its stock, price or status
/// changes (``ProductEventFeed``).
struct ProductEventsController: Sendable {
    let feed: ProductEventFeed

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(":id/events", use: stream)
        return routes
    }

    @Sendable func stream(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let (stream, product) = try await feed.subscribe(try context.id()) else { throw APIError.notFound("product") }
        return .eventStream(request, context: context, stream: stream) { emit in try await emit(ProductEventFeed.event(product)) }
    }
}
