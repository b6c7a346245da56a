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
    let client: CurlHTTPClient
    let peers: ServiceConfiguration.Peers
    let internalToken: String?

    func export(_ principal: Principal, authorization: String) async throws -> AccountExport {
        guard let user = try await directory.user(uid: principal.uid), user.deletedAt == nil else { throw APIError.notFound("user") }
        async let orders = orders(of: principal.uid, authorization: authorization)
        async let reviews = fetch(
            ListResponse<ReviewResponse>.self, "\(peers.product)/internal/reviews/users/\(principal.uid)",
            headers: [("X-Internal-Token", internalToken ?? "")], from: "product")
        return AccountExport(
            exportedAt: Date(), profile: user.response,
            sessions: try await directory.sessions(uid: principal.uid).map { $0.response(current: principal.sessionID) },
            orders: try await orders, reviews: try await reviews.data)
    }

    /// Every page of `GET /api/v1/orders` as the caller, filtered to their own orders (an admin
    /// would otherwise be shown everyone's).
    private func orders(of uid: String, authorization: String) async throws -> [OrderResponse] {
        let user = uid.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var orders: [OrderResponse] = []
        while true {
            let page = try await fetch(
                Page<OrderResponse>.self,
                "\(peers.order)/api/v1/orders?user_uid=\(user)&limit=\(PageRequest.maxLimit)&offset=\(orders.count)",
                headers: [("Authorization", authorization)], from: "order")
            orders += page.data
            if page.data.isEmpty || orders.count >= page.page.total { return orders }
        }
    }

    private func fetch<T: Decodable>(_ type: T.Type, _ url: String, headers: [(String, String)], from service: String) async throws -> T {
        let request = HTTPClientRequest(url: url, headers: headers.map { (name: $0.0, value: $0.1) }, timeout: .seconds(10))
        do {
            return try await client.decoding(T.self, from: request, decoder: contractDecoder)
        } catch let failure as UnexpectedStatus {
            throw APIError.upstreamUnavailable("the \(service) service answered \(failure.response.status) for the export")
        } catch {
            throw APIError.upstreamUnavailable("the \(service) service cannot be reached for the export")
        }
    }
}
