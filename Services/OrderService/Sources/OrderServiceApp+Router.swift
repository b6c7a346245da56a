import Authentication
import Foundation
import Hummingbird
import Logging
import Postgres
import ServiceKit

/// What the Order service's routes are built from: made from the configuration by
/// ``OrderServiceApp/buildApplication(configuration:)``, or with fakes of the peers by a test.
struct OrderDependencies: Sendable {
    /// The pool on the order database.
    var pool: PostgresPool
    var users: any UserValidating
    var stock: any StockReserving
    var payments: any PaymentProvider
    var tokenVerifier: TokenVerifier
    /// Makes the profile of a user signed in elsewhere (Firebase) before the saga checks them.
    var provisioning: FirstUseProvisioning?
    var settings: OrderSettings
    /// `INTERNAL_TOKEN`, for the `/internal/…` routes.
    var internalToken: String?
    /// Sends order changes to the event streams.
    var events: OrderEventFeed
    /// This process as a holder of saga leases.
    var leaseOwner: UUID
    var logger: Logger
}

extension OrderServiceApp {
    /// Adds the order routes and their event streams (bearer tokens required), the internal purchase check, stats and
    /// audit routes to `router`; returns the saga driver, which the recovery worker shares.
    static func buildRouter(_ router: Router<ServiceRequestContext>, dependencies: OrderDependencies) -> OrderSaga {
        let pool = dependencies.pool
        let store = SagaStore(pool: pool, lease: dependencies.settings.sagaTimeout, owner: dependencies.leaseOwner)
        let saga = OrderSaga(
            store: store, users: dependencies.users, stock: dependencies.stock, payments: dependencies.payments,
            settings: dependencies.settings, logger: dependencies.logger)
        let orders = OrderStore(pool: pool)
        let api = router.group("/api/v1/orders")
            .add(middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier, provisioning: dependencies.provisioning))
        OrderEventsController(feed: dependencies.events).addRoutes(to: api)
        api.addRoutes(OrdersController(orders: orders, sagas: store, saga: saga, sagaTimeout: dependencies.settings.sagaTimeout).endpoints)
        let internalRoutes = router.group("/internal").add(middleware: InternalTokenMiddleware(token: dependencies.internalToken))
        internalRoutes.addRoutes(AuditController(pool: pool, service: "order").endpoints, atPath: "audit")
        internalRoutes.addRoutes(OrderStatsController(pool: pool).endpoints, atPath: "stats")
        internalRoutes.addRoutes(PurchasesController(orders: orders).endpoints, atPath: "purchases")
        return saga
    }
}
