import Authentication
import DocumentStore
import Foundation
import HTTPClient
import Hummingbird
import Logging
import NIOPosix
import Postgres
import Primitives
import ServiceKit

/// The User service: its defaults and how its application is put together.
public enum UserServiceApp {
    /// Port 8081; its document database on port 5436.
    public static let defaults = ServiceConfiguration.Defaults(
        name: "user-service", port: 8081,
        database: PostgresConfiguration(
            host: "127.0.0.1", port: 5436, user: "user_user", password: "user_pass", database: "user_database"),
        migrationsFolder: "user")

    /// Builds the application: shared defaults, then the real collaborators (the document
    /// store, token issuing and verification with the service's own keys, the Product and Order
    /// services for the data export) handed to ``buildRouter(_:dependencies:)``; at start-up the document
    /// indexes and the bootstrap admin; the listeners on the document store, which end a deleted
    /// account's sessions at once.
    public static func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
        let environment = configuration.environment
        let logger = makeLogger(configuration)
        let signingKey = try SigningKey.load(environment: environment, logger: logger)
        let verifierConfiguration = TokenVerifierConfiguration(environment: environment, userServiceURL: configuration.url(of: .user))
        let issuer = await TokenIssuer(
            signingKey: signingKey, configuration: verifierConfiguration,
            lifetime: try environment.integerVariable("JWT_TTL_SECONDS") ?? 900)
        let cost = try environment.integerVariable("BCRYPT_COST", in: 10...16, reason: "must be 10 to 16") ?? 10
        let hasher = PasswordHasher(cost: UInt8(cost))
        let sessionDays = try environment.integerVariable("REFRESH_TOKEN_TTL_DAYS") ?? 30
        let indexFile = URL(fileURLWithPath: environment["DOCUMENT_INDEXES_FILE"] ?? "database/document-indexes.json")
        let indexes = try DocumentIndexes(contentsOf: indexFile)
        let client = CurlHTTPClient(logger: logger)
        let usageFlushMilliseconds = try environment.integerVariable("API_KEY_USAGE_FLUSH_MS") ?? 5000
        let anonymiseDays = try environment.integerVariable("ACCOUNT_ANONYMISE_AFTER_DAYS", in: 0...3650, reason: "must be 0 to 3650 days") ?? 30
        let removeDays = try environment.integerVariable("ACCOUNT_REMOVE_AFTER_DAYS", in: 0...3650, reason: "must be 0 to 3650 days") ?? 90
        guard removeDays >= anonymiseDays else {
            throw ConfigurationError(variable: "ACCOUNT_REMOVE_AFTER_DAYS", reason: "must be at least ACCOUNT_ANONYMISE_AFTER_DAYS (\(anonymiseDays))")
        }

        return buildServiceApplication(configuration: configuration) { router, dependencies in
            let store = DocumentStore(pool: dependencies.pool)
            let directory = UserDirectory(store: store, sessionLifetime: TimeInterval(sessionDays) * 86_400)
            let keys = APIKeyStore(store: store, logger: logger, flushInterval: .milliseconds(usageFlushMilliseconds))
            buildRouter(
                router,
                dependencies: UserDependencies(
                    pool: dependencies.pool, directory: directory, keys: keys, issuer: issuer, hasher: hasher,
                    tokenVerifier: TokenVerifier(configuration: verifierConfiguration, localKeys: issuer.keys, client: client, logger: logger),
                    exporter: AccountExporter(
                        directory: directory, productService: configuration.peer(.product, client: client).timeout(.seconds(10)),
                        orderService: configuration.peer(.order, client: client).timeout(.seconds(10))),
                    jwksJSON: signingKey.jwksJSON, internalToken: configuration.internalToken))

            let bootstrap = BootstrapAdmin(environment: environment, directory: directory, hasher: hasher, logger: logger)
            let lifecycle = AccountLifecycle(
                store: store, anonymiseAfter: TimeInterval(anonymiseDays) * 86_400, removeAfter: TimeInterval(removeDays) * 86_400,
                ready: dependencies.schemaReadiness, logger: logger)
            let listeners = DocumentListeners(configuration: configuration.database, logger: logger)
            let deletedSessions = DeletedAccountSessions(
                listeners: listeners, directory: directory, ready: dependencies.schemaReadiness, logger: logger)
            return ServiceExtras(
                services: [keys, client, lifecycle, listeners, deletedSessions],
                schemaTasks: [{ try await indexes.apply(on: $0, logger: logger) }],
                startupTasks: [
                    { _ = try await NIOThreadPool.singleton.runIfActive { PasswordHasher.decoy } },
                    { try await bootstrap.run() },
                ])
        }
    }
}
