import Authentication
import Foundation
import HTTPClient
import Hummingbird
import Postgres
import ServiceKit

/// The Order service: its defaults and how its application is put together.
public enum OrderServiceApp {
    /// Port 8083; its own database on port 5434 (the design document's local set-up).
    public static let defaults = ServiceConfiguration.Defaults(
        name: "order-service", port: 8083,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5434, user: "order_user", password: "order_pass", database: "order_database"),
        migrationsFolder: "order", maxConnectionsPerIP: ConnectionLimits.eventStreamingMaxConnectionsPerIP)

    /// Builds the application: shared defaults, then the real collaborators (the User and
    /// Product services over libcurl, the payment simulator, tokens checked against the User
    /// service's keys) handed to ``buildRouter(_:dependencies:)``, the saga recovery worker, and the
    /// feed of order changes to the event streams with the listener that wakes it.
    public static func buildApplication(configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let settings = try OrderSettings(environment: configuration.environment)
        Observability.describe(SagaMetrics.help.merging(EventHub<OrderStreamKey>.metricHelp) { $1 })
        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            let events = OrderEventFeed(
                pool: dependencies.pool, heartbeat: configuration.eventHeartbeat, ready: dependencies.schemaReadiness,
                logger: dependencies.logger)
            let saga = buildRouter(
                router,
                dependencies: OrderDependencies(
                    pool: dependencies.pool,
                    users: UserAccounts(peer: configuration.peer(.user, client: client).timeout(settings.upstreamTimeout)),
                    stock: StockReservations(peer: configuration.peer(.product, client: client).timeout(settings.upstreamTimeout)),
                    payments: PaymentSimulator(), tokenVerifier: dependencies.tokenVerifier(client: client),
                    provisioning: .remote(configuration.peer(.user, client: client)), settings: settings,
                    internalToken: configuration.internalToken, events: events, leaseOwner: UUID(),
                    logger: dependencies.logger))
            let recovery = SagaRecoveryWorker(
                sagas: saga.store, saga: saga, interval: min(settings.sagaTimeout / 2, .seconds(5)), sagaTimeout: settings.sagaTimeout,
                ready: dependencies.schemaReadiness, logger: dependencies.logger)
            let listener = PostgresNotificationListener(
                channel: OrderEventFeed.channel, configuration: configuration.database, logger: dependencies.logger, handler: events.apply)
            let expiredEvents = RetentionJob(
                pool: dependencies.pool, function: "purge_expired_order_events", ready: dependencies.schemaReadiness, logger: dependencies.logger)
            return ServiceExtras(services: [client, recovery, events, events.hub, listener, expiredEvents])
        }
    }
}
