import Contracts
import Foundation
import HTTPClient
import Hummingbird
import ServiceKit

/// `GET /api/v1/users/me/export`: everything the stack holds about the caller, as JSON: the
/// profile and every session (this service), the orders with their items (the Order service,
/// asked with the caller's own token) and the reviews they wrote (the Product service). All
/// or nothing: a service that cannot answer makes it 503, never a partial export.
struct AccountExport: Codable, Sendable, ResponseEncodable {
    var exportedAt: Date
    var profile: UserResponse
    var sessions: [SessionResponse]
    var orders: [OrderResponse]
    var reviews: [ReviewResponse]

    enum CodingKeys: String, CodingKey {
        case profile, sessions, orders, reviews
        case exportedAt = "exported_at"
    }
}

struct AccountExporter: Sendable {
    let directory: UserDirectory
    /// The Product service (reviews) and the Order service (orders, over its public route).
    let productService: InternalClient
    let orderService: InternalClient

    func export(_ principal: Principal, authorization: String) async throws -> AccountExport {
        guard let user = try await directory.user(uid: principal.uid), user.deletedAt == nil else { throw APIError.notFound("user") }
        async let orders = ownOrders(of: principal.uid, authorization: authorization)
        async let reviews = productService.fetch(
            ListResponse<ReviewResponse>.self,
            productService.request("GET", "/internal/reviews/users/\(InternalClient.segment(principal.uid))"), what: "reviews")
        return AccountExport(
            exportedAt: Date(), profile: user.response,
            sessions: try await directory.sessions(uid: principal.uid).map { $0.response(current: principal.sessionID) },
            orders: try await orders, reviews: try await reviews.data)
    }

    /// Every page of `GET /api/v1/orders` as the caller, filtered to their own orders (an admin
    /// would otherwise be shown everyone's).
    private func ownOrders(of uid: String, authorization: String) async throws -> [OrderResponse] {
        var collected: [OrderResponse] = []
        while true {
            var request = orderService.request(
                "GET", "/api/v1/orders",
                query: [("user_uid", uid), ("limit", String(PageRequest.maxLimit)), ("offset", String(collected.count))])
            request.headers = [("Authorization", authorization)]
            let page = try await orderService.fetch(Page<OrderResponse>.self, request, what: "orders")
            collected += page.data
            if page.data.isEmpty || collected.count >= page.page.total { return collected }
        }
    }
}
