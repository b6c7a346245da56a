import Contracts
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

@Suite("API key permissions from the routing table")
struct KeyPermissionTests {
    @Test(arguments: [
        ("GET", "/api/v1/products/7", Permission?.some(.productsRead)), ("HEAD", "/api/v1/categories", .productsRead),
        ("POST", "/api/v1/products", .productsWrite), ("DELETE", "/api/v1/reviews/3", .productsWrite),
        ("GET", "/api/v1/orders/9", .ordersRead), ("POST", "/api/v1/orders", nil), ("GET", "/api/v1/users/me", nil),
        ("POST", "/api/v1/analytics/events", .analyticsWrite), ("GET", "/api/v1/analytics/events", nil),
        ("GET", "/api/v1/productsx", nil), ("GET", "/api/v1/admin/api-logs", nil),
    ])
    func eachRouteNamesWhatAKeyNeeds(method: String, path: String, permission: Permission?) {
        #expect(UpstreamRoutes.keyPermission(method: method, path: path) == permission)
    }
}
