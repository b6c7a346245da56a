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
        migrationsFolder: "order")

    /// Builds the application: shared defaults (health, metrics, errors), bearer tokens
    /// checked against the User service's keys, the order routes with their saga, the
    /// internal purchase check, and the saga recovery worker.
    public static func buildApplication(configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let settings = try OrderSettings(environment: configuration.environment)
        Observability.describe(SagaMetrics.help)
        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let client = CurlHTTPClient(logger: dependencies.logger)
            let pool = dependencies.pool
            let store = SagaStore(pool: pool, lease: settings.sagaTimeout, owner: UUID())
            let saga = OrderSaga(
                store: store,
                users: UserAccounts(peer: configuration.peer(.user, client: client).timeout(settings.upstreamTimeout)),
                stock: StockReservations(peer: configuration.peer(.product, client: client).timeout(settings.upstreamTimeout)),
                payments: PaymentSimulator(), settings: settings, logger: dependencies.logger)
            let orders = OrderStore(pool: pool)
            router.group("/api/v1/orders")
                .add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier(client: client)))
                .addRoutes(OrdersController(orders: orders, sagas: store, saga: saga, sagaTimeout: settings.sagaTimeout).endpoints)
            router.group("/internal/audit").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(AuditController(pool: dependencies.pool, service: "order").endpoints)
            router.group("/internal/stats").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(OrderStatsController(pool: dependencies.pool).endpoints)
            router.group("/internal/purchases").add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
                .addRoutes(PurchasesController(orders: orders).endpoints)

            let recovery = SagaRecoveryWorker(
                sagas: store, saga: saga, interval: min(settings.sagaTimeout / 2, .seconds(5)), sagaTimeout: settings.sagaTimeout,
                ready: dependencies.schemaReadiness, logger: dependencies.logger)
            return ServiceExtras(services: [client, recovery])
        }
    }
}
