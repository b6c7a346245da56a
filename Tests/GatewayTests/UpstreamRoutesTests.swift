import Gateway
import Testing

@Suite("Gateway routing table")
struct UpstreamRoutesTests {
    @Test(arguments: [
        ("/api/v1/auth/login", Upstream.user), ("/api/v1/users/me", .user), ("/api/v1/api-keys", .user),
        ("/.well-known/jwks.json", .user), ("/api/v1/categories", .product), ("/api/v1/products/7/reviews", .product),
        ("/api/v1/reviews/3", .product), ("/api/v1/orders", .order), ("/api/v1/orders/9/cancel", .order),
    ])
    func everyPrefixOfTheContractReachesItsService(path: String, upstream: Upstream) {
        #expect(UpstreamRoutes.upstream(for: path) == upstream)
    }

    @Test(arguments: ["/internal/users/abc", "/api/v1/productsx", "/api/v1/admin/api-logs", "/api/v1/analytics/events", "/health", "/"])
    func otherPathsAreNotForwarded(path: String) {
        #expect(UpstreamRoutes.upstream(for: path) == nil)
    }
}
