import Foundation
import HTTPClient
import Hummingbird
import Logging
import Postgres
import ServiceLifecycle

/// What a service's routes are built from, besides the router itself.
public struct ServiceDependencies: Sendable {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    /// The pool on the service's own database.
    public let pool: PostgresPool
    /// Opens once the migrations have been applied: background workers wait for it.
    public let schemaReadiness: SchemaReadiness
}

/// What a service adds to the shared application besides routes.
public struct ServiceExtras: Sendable {
    /// Run in the application's service group (an HTTP client, a background worker).
    public var services: [any Service]
    /// Schema work besides the migrations (the document indexes), run right after them on the
    /// owner role's pool (`MIGRATION_DATABASE_URL`): the runtime role may not change the schema.
    public var schemaTasks: [@Sendable (PostgresPool) async throws -> Void]
    /// Run in order after the migrations and before the server accepts requests.
    public var startupTasks: [@Sendable () async throws -> Void]

    public init(
        services: [any Service] = [], schemaTasks: [@Sendable (PostgresPool) async throws -> Void] = [],
        startupTasks: [@Sendable () async throws -> Void] = []
    ) {
        self.services = services
        self.schemaTasks = schemaTasks
        self.startupTasks = startupTasks
    }
}

/// Builds a service's Hummingbird application the same way for all four executables: the
/// pool on its own database, the shared defaults (``Router/addServiceDefaults(readiness:)``,
/// with the database as readiness check), `HEAD` for every `GET` route
/// (``HeadRequestResponder``), 405 with `Allow` for a known path's other methods
/// (``MethodNotAllowedMiddleware``), the connection rules of ``HTTP1ConnectionGuard``, then the
/// service's routes from `addRoutes`, which
/// returns any further services to run and start-up tasks. Those services and the pool run
/// in the application's service group and stop after the server; migrations, then the
/// start-up tasks, run before the server accepts requests.
public func buildServiceApplication(
    configuration: ServiceConfiguration,
    addRoutes: (Router<ServiceRequestContext>, ServiceDependencies) throws -> ServiceExtras
) rethrows -> some ApplicationProtocol {
    let logger = makeLogger(configuration)
    Observability.describe(
        [PostgresPool.metricHelp, CurlHTTPClient.metricHelp, DatabaseServerMetrics.help].reduce(into: [:]) { $0.merge($1) { $1 } })
    let pool = PostgresPool(configuration: configuration.database, logger: logger)
    let router = Router(context: ServiceRequestContext.self)
    router.addServiceDefaults(readiness: [.database(pool)], collectors: [pool.publishMetrics])
    let schemaReadiness = SchemaReadiness()
    let extras = try addRoutes(
        router, ServiceDependencies(configuration: configuration, logger: logger, pool: pool, schemaReadiness: schemaReadiness))
    if !router.routes.contains(where: { $0.path.description == "/openapi.json" }) {
        router.addRoutes(OpenAPIController(configuration: configuration, logger: logger).endpoints, atPath: "/openapi.json")
    }
    RouteInventory.record(
        configuration.name, router.routes.map { "\($0.method.rawValue) \(RouteInventory.openAPIPath($0.path.description))" })
    router.add(middleware: MethodNotAllowedMiddleware(routes: RouteMethods(router.routes)))
    var app = Application(
        responder: HeadRequestResponder(base: router.buildResponder()),
        server: .guardedHTTP1(configuration.connectionLimits),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.name),
        logger: logger)
    app.addServices(pool)
    app.addServices(extras.services)
    // Every database keeps its audit trail a year (database/migrations/shared/audit_log.sql).
    app.addServices(RetentionJob(pool: pool, function: "purge_expired_audit", ready: schemaReadiness, logger: logger))
    app.addServices(DatabaseServerMetrics(pool: pool, ready: schemaReadiness, logger: logger))
    let startupTasks = extras.startupTasks
    app.beforeServerStarts {
        try await prepareSchema(configuration: configuration, schemaTasks: extras.schemaTasks, runtimePool: pool, logger: logger)
        schemaReadiness.open()
        for task in startupTasks { try await task() }
    }
    return app
}

/// Brings the database's schema up to date before the service uses it: the migrations, then
/// `schemaTasks`, then (when the owner role is not the runtime role) the runtime role's rights
/// (``RuntimeGrants``). With `MIGRATION_DATABASE_URL` this runs on a pool of the owner role's
/// own, closed again afterwards; without it, on the runtime pool.
public func prepareSchema(
    configuration: ServiceConfiguration, schemaTasks: [@Sendable (PostgresPool) async throws -> Void],
    runtimePool: PostgresPool, logger: Logger
) async throws {
    let ownerPool = configuration.migrationDatabase.map { PostgresPool(configuration: $0, logger: logger) }
    let pool = ownerPool ?? runtimePool
    do {
        try await applyMigrations(from: configuration.migrationsDirectory, on: pool, logger: logger)
        for task in schemaTasks { try await task(pool) }
        if let owner = configuration.migrationDatabase, owner.user != configuration.database.user {
            try await RuntimeGrants(role: configuration.database.user).apply(on: pool, logger: logger)
        }
    } catch {
        await ownerPool?.close()
        throw error
    }
    await ownerPool?.close()
}

/// Applies the migrations, waiting up to `patience` for a database that is still starting.
public func applyMigrations(
    from directory: URL, on pool: PostgresPool, logger: Logger, patience: Duration = .seconds(30)
) async throws {
    let runner = try MigrationRunner(directory: directory)
    let deadline = ContinuousClock.now + patience
    while true {
        do {
            let applied = try await runner.run(on: pool, logger: logger)
            logger.info("database schema is current", metadata: ["applied": "\(applied)"])
            return
        } catch let error as PostgresError where error.breaksConnection && ContinuousClock.now < deadline {
            logger.warning("database not reachable yet; retrying", metadata: ["error": "\(error)"])
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

/// Logger for a service, at the configured level.
public func makeLogger(_ configuration: ServiceConfiguration) -> Logger {
    var logger = Logger(label: configuration.name)
    logger.logLevel = configuration.logLevel
    return logger
}
