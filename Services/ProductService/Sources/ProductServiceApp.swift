import Authentication
import HTTPClient
import Hummingbird
import Postgres
import ServiceKit

/// The Product service: its defaults and how its application is put together.
public enum ProductServiceApp {
    /// Port 8082; its own database on port 5433 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "product-service", port: 8082,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5433, user: "product_user", password: "product_pass", database: "product_database"),
        migrationsFolder: "product")

    /// Builds the application: shared defaults, bearer tokens checked against the User
    /// service's keys, the catalog and review routes, and the internal stock routes.
    public static func buildApplication(configuration: ServiceConfiguration) -> some ApplicationProtocol {
        buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            let pool = dependencies.pool
            let products = ProductStore(pool: pool)
            let reviews = ReviewsController(
                reviews: ReviewStore(pool: pool), products: products,
                purchases: PurchaseVerifier(
                    client: client, orderServiceURL: configuration.peers.order, internalToken: configuration.internalToken,
                    logger: dependencies.logger))
            let api = router.group("/api/v1").add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier(client: client)))
            api.addRoutes(CategoriesController(store: CategoryStore(pool: pool)).endpoints, atPath: "categories")
            api.addRoutes(ProductsController(store: products).endpoints, atPath: "products")
            api.addRoutes(reviews.productRoutes, atPath: "products")
            api.addRoutes(reviews.reviewRoutes, atPath: "reviews")
            router.group("/internal/stock").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(StockController(ledger: StockLedger(pool: pool)).endpoints)
            return ServiceExtras(services: [client])
        }
    }
}
