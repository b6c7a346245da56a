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
        migrationsFolder: "product", maxConnectionsPerIP: ConnectionLimits.eventStreamingMaxConnectionsPerIP)

    /// Builds the application: shared defaults, then the real collaborators (the cache of the
    /// public product view, the Order service for verified purchases, tokens checked against
    /// the User service's keys) handed to ``buildRouter(_:dependencies:)``, and the listener
    /// that keeps the cache right and feeds the product event streams.
    public static func buildApplication(configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let cacheEntries = try configuration.environment.integerVariable(
            "PRODUCT_CACHE_ENTRIES", in: 0...10_000_000, reason: "must be 0 (no cache) to 10000000") ?? 100_000
        Observability.describe(ProductCache.metricHelp.merging(EventHub<Int>.metricHelp) { $1 })
        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            let cache = ProductCache(capacity: cacheEntries)
            let events = ProductEventFeed(
                store: ProductStore(pool: dependencies.pool, cache: cache), heartbeat: configuration.eventHeartbeat, logger: dependencies.logger)
            let users = configuration.peer(.user, client: client)
            buildRouter(
                router,
                dependencies: ProductDependencies(
                    pool: dependencies.pool, cache: cache, events: events,
                    purchases: PurchaseVerifier(orders: configuration.peer(.order, client: client).timeout(.seconds(2)), logger: dependencies.logger),
                    authors: ReviewAuthors(users: users), provisioning: .remote(users),
                    tokenVerifier: dependencies.tokenVerifier(client: client), internalToken: configuration.internalToken))
            // One listener tells both the cache and the event streams of every product change.
            let listener = PostgresNotificationListener(
                channel: ProductCache.channel, configuration: configuration.database, logger: dependencies.logger
            ) { event in
                cache.apply(event)
                events.apply(event)
            }
            return ServiceExtras(services: [client, events, events.hub, listener])
        }
    }
}
