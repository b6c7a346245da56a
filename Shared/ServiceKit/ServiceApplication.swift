import Foundation
import Hummingbird
import Logging
import Postgres
import ServiceLifecycle

/// Builds a service's Hummingbird application the same way for all four executables: bind
/// address from the configuration, the pool (and any other services) run under the
/// application's service group and shut down after the server, migrations applied before
/// the server accepts requests.
public func makeServiceApplication(
    configuration: ServiceConfiguration, router: Router<ServiceRequestContext>, pool: PostgresPool,
    services: [any Service] = [], logger: Logger
) -> some ApplicationProtocol {
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.name),
        logger: logger)
    app.addServices(pool)
    app.addServices(services)
    let directory = configuration.migrationsDirectory
    app.beforeServerStarts {
        try await applyMigrations(from: directory, on: pool, logger: logger)
    }
    return app
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
