import Authentication
import HTTPClient
import Hummingbird
import Postgres
import Primitives
import ServiceKit
import ServiceLifecycle

/// The Product service: its defaults and how its application is put together.
public enum ProductServiceApp {
    /// Port 8082; its own database on port 5433 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "product-service", port: 8082,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5433, user: "product_user", password: "product_pass", database: "product_database"),
        migrationsFolder: "product")

    /// Builds the application: shared defaults, bearer tokens checked against the User
    /// service's keys, the catalog and review routes, the internal stock routes, and the cache
    /// of the public product view with the listener that keeps it right.
    public static func buildApplication(configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let cacheEntries = try configuration.environment.integerVariable(
            "PRODUCT_CACHE_ENTRIES", in: 0...10_000_000, reason: "must be 0 (no cache) to 10000000") ?? 100_000
        Observability.describe(ProductCache.metricHelp)
        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            let pool = dependencies.pool
            let cache = ProductCache(capacity: cacheEntries)
            let products = ProductStore(pool: pool, cache: cache)
            let reviews = ReviewsController(
                reviews: ReviewStore(pool: pool, cache: cache), products: products,
                purchases: PurchaseVerifier(orders: configuration.peer(.order, client: client).timeout(.seconds(2)), logger: dependencies.logger))
            let api = router.group("/api/v1").add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier(client: client)))
            api.addRoutes(CategoriesController(store: CategoryStore(pool: pool)).endpoints, atPath: "categories")
            api.addRoutes(ProductsController(store: products).endpoints, atPath: "products")
            api.addRoutes(reviews.productRoutes, atPath: "products")
            api.addRoutes(reviews.reviewRoutes, atPath: "reviews")
            router.group("/internal/audit").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(AuditController(pool: dependencies.pool, service: "product").endpoints)
            router.group("/internal/reviews").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(reviews.internalRoutes)
            router.group("/internal/stock").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(StockController(ledger: StockLedger(pool: pool, cache: cache)).endpoints)
            var services: [any Service] = [client]
            if cache.isEnabled {
                services.append(PostgresNotificationListener(
                    channel: ProductCache.channel, configuration: configuration.database, logger: dependencies.logger,
                    handler: cache.apply))
            }
            return ServiceExtras(services: services)
        }
    }
}
