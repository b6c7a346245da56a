import Contracts

/// The services behind the gateway.
public enum Upstream: String, Sendable, CaseIterable {
    case user, product, order

    /// The service as its peers know it (name, `<NAME>_SERVICE_URL`, local address).
    public var peer: PeerService {
        switch self {
        case .user: .user
        case .product: .product
        case .order: .order
        }
    }
}

/// The gateway's routing table: a path prefix, matched on whole segments, names the service
/// that answers it and what an API key needs there. `/internal/…` is never routed.
public struct UpstreamRoutes: Sendable {
    /// One prefix of the table.
    public struct Route: Sendable {
        public var prefix: String
        public var upstream: Upstream
        /// What an API key needs to read (`GET`, `HEAD`) and to write there; `nil`: no key may.
        public var keyRead: Permission? = nil
        public var keyWrite: Permission? = nil
    }

    /// Prefixes in the public API's order.
    public static let table: [Route] = [
        Route(prefix: "/api/v1/auth", upstream: .user), Route(prefix: "/api/v1/users", upstream: .user),
        Route(prefix: "/api/v1/api-keys", upstream: .user), Route(prefix: "/.well-known/jwks.json", upstream: .user),
        Route(prefix: "/api/v1/categories", upstream: .product, keyRead: .productsRead, keyWrite: .productsWrite),
        Route(prefix: "/api/v1/products", upstream: .product, keyRead: .productsRead, keyWrite: .productsWrite),
        Route(prefix: "/api/v1/reviews", upstream: .product, keyRead: .productsRead, keyWrite: .productsWrite),
        Route(prefix: "/api/v1/orders", upstream: .order, keyRead: .ordersRead),
    ]

    /// The gateway's own routes an API key may use, by method and exact path.
    static let gatewayKeyRoutes: [(method: String, path: String, permission: Permission)] = [
        ("POST", "/api/v1/analytics/events", .analyticsWrite)
    ]

    /// The service for a request path (without query), or `nil` when the gateway itself answers.
    public static func upstream(for path: String) -> Upstream? {
        route(for: path)?.upstream
    }

    /// Whether a `GET` of `path` opens an event stream: `/api/v1/orders/events`,
    /// `/api/v1/orders/{id}/events` or `/api/v1/products/{id}/events`.
    public static func isEventStream(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.last == "events", segments.count >= 5, segments[0].isEmpty, segments[1] == "api", segments[2] == "v1" else {
            return false
        }
        switch (segments[3], segments.count) {
        case ("orders", 5): return true
        case ("orders", 6), ("products", 6): return !segments[4].isEmpty
        default: return false
        }
    }

    /// The permission an API key needs for a request, or `nil` when no key permission allows it.
    public static func keyPermission(method: String, path: String) -> Permission? {
        if let route = route(for: path) {
            return method == "GET" || method == "HEAD" ? route.keyRead : route.keyWrite
        }
        return gatewayKeyRoutes.first { $0.method == method && $0.path == path }?.permission
    }

    private static func route(for path: String) -> Route? {
        table.first { route in
            guard path.hasPrefix(route.prefix) else { return false }
            let rest = path.dropFirst(route.prefix.count)
            return rest.isEmpty || rest.first == "/"
        }
    }
}
