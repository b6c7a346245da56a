import Authentication
import Hummingbird
import Postgres
import ServiceKit

/// What the Product service's routes are built from: made from the configuration by
/// ``ProductServiceApp/buildApplication(configuration:)``, or with fakes of its peers by a test.
struct ProductDependencies: Sendable {
    /// The pool on the product database.
    var pool: PostgresPool
    var cache: ProductCache
    /// Sends product changes to the event streams.
    var events: ProductEventFeed
    var purchases: any PurchaseVerifying
    /// The User service, for a review author's account and the profiles of users signed in elsewhere.
    var authors: any AuthorChecking
    var provisioning: FirstUseProvisioning?
    var tokenVerifier: TokenVerifier
    /// `INTERNAL_TOKEN`, for the `/internal/…` routes.
    var internalToken: String?
}

extension ProductServiceApp {
    /// Adds the catalog and review routes (bearer tokens checked where given) and the internal
    /// stock, review and audit routes to `router`.
    static func buildRouter(_ router: Router<ServiceRequestContext>, dependencies: ProductDependencies) {
        let pool = dependencies.pool, cache = dependencies.cache
        let products = ProductStore(pool: pool, cache: cache)
        let reviews = ReviewsController(
            reviews: ReviewStore(pool: pool, cache: cache), products: products, purchases: dependencies.purchases,
            authors: dependencies.authors)
        let api = router.group("/api/v1").add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier, provisioning: dependencies.provisioning))
        api.addRoutes(CategoriesController(store: CategoryStore(pool: pool)).endpoints, atPath: "categories")
        api.addRoutes(ProductsController(store: products).endpoints, atPath: "products")
        api.addRoutes(ProductEventsController(feed: dependencies.events).endpoints, atPath: "products")
        api.addRoutes(reviews.productRoutes, atPath: "products")
        api.addRoutes(reviews.reviewRoutes, atPath: "reviews")
        let internalRoutes = router.group("/internal").add(middleware: InternalTokenMiddleware(token: dependencies.internalToken))
        internalRoutes.addRoutes(AuditController(pool: pool, service: "product").endpoints, atPath: "audit")
        internalRoutes.addRoutes(reviews.internalRoutes, atPath: "reviews")
        internalRoutes.addRoutes(StockController(ledger: StockLedger(pool: pool, cache: cache)).endpoints, atPath: "stock")
    }
}
