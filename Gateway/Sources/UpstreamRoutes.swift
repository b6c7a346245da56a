/// The services behind the gateway.
public enum Upstream: String, Sendable, CaseIterable {
    case user, product, order
}

/// The gateway's routing table (CONTRACT.md "Gateway"): a path prefix, matched on whole
/// segments, names the service that answers it. `/internal/…` is never routed.
public struct UpstreamRoutes: Sendable {
    /// Prefixes in the contract's order.
    public static let table: [(prefix: String, upstream: Upstream)] = [
        ("/api/v1/auth", .user), ("/api/v1/users", .user), ("/api/v1/api-keys", .user),
        ("/.well-known/jwks.json", .user),
        ("/api/v1/categories", .product), ("/api/v1/products", .product), ("/api/v1/reviews", .product),
        ("/api/v1/orders", .order),
    ]

    /// The service for a request path (without query), or `nil` when the gateway itself answers.
    public static func upstream(for path: String) -> Upstream? {
        for (prefix, upstream) in table where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if rest.isEmpty || rest.first == "/" { return upstream }
        }
        return nil
    }
}
