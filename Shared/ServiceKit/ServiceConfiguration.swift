import Contracts
import Foundation
import HTTPClient
import Logging
import Postgres
import Primitives

/// What one executable needs to know, read from the environment (names in the README).
public struct ServiceConfiguration: Sendable {
    /// The service's name in logs and metrics, e.g. `product-service`.
    public var name: String
    /// Address the HTTP server binds (`HOST`, default `127.0.0.1`).
    public var host: String
    /// Port the HTTP server binds (`PORT`).
    public var port: Int
    /// The service's own database (`DATABASE_URL` or `DB_*`, `DB_MAX_CONNECTIONS`).
    public var database: PostgresConfiguration
    /// The owner role that applies the migrations (`MIGRATION_DATABASE_URL`), when it is not
    /// the runtime role: then it also gives the runtime role its rights (``RuntimeGrants``).
    /// `nil` when unset: the runtime role migrates its own database (local use).
    public var migrationDatabase: PostgresConfiguration?
    /// Folder of the database's versioned migrations (`MIGRATIONS_DIR`).
    public var migrationsDirectory: URL
    /// `LOG_LEVEL` (`trace` … `critical`, default `info`).
    public var logLevel: Logger.Level
    /// The shared secret for `/internal/…` calls between services (`INTERNAL_TOKEN`).
    public var internalToken: String?
    /// Header-read and idle timeouts and connections per client IP of the HTTP server.
    public var connectionLimits: ConnectionLimits
    /// `EVENT_HEARTBEAT_MS` (default 15000): how often an idle event stream gets a comment line,
    /// so that proxies and clients keep it open and a client that went away is noticed.
    public var eventHeartbeat: Duration
    /// The whole environment, for settings that only one service reads.
    public var environment: [String: String]

    /// The built-in defaults of one service: its name, port and local database.
    public struct Defaults: Sendable {
        public var name: String
        public var port: Int
        public var database: PostgresConfiguration
    /// The owner role that applies the migrations (`MIGRATION_DATABASE_URL`), when it is not
    /// the runtime role: then it also gives the runtime role its rights (``RuntimeGrants``).
    /// `nil` when unset: the runtime role migrates its own database (local use).
    public var migrationDatabase: PostgresConfiguration?
        /// Folder under `database/migrations/`.
        public var migrationsFolder: String
        /// `HTTP_MAX_CONNECTIONS_PER_IP` when unset (``ConnectionLimits/maxConnectionsPerIP``).
        public var maxConnectionsPerIP: Int

        public init(
            name: String, port: Int, database: PostgresConfiguration, migrationsFolder: String,
            maxConnectionsPerIP: Int = ConnectionLimits().maxConnectionsPerIP
        ) {
            self.name = name
            self.port = port
            self.database = database
            self.migrationsFolder = migrationsFolder
            self.maxConnectionsPerIP = maxConnectionsPerIP
        }
    }

    /// Reads the configuration, falling back to `defaults`. Throws on values that cannot be used.
    public init(defaults: Defaults, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.name = defaults.name
        self.environment = environment
        self.host = environment["HOST"] ?? "127.0.0.1"
        self.port = try environment.integerVariable("PORT", in: 0...65535, reason: "must be a port number") ?? defaults.port
        var database = defaults.database
        database.applicationName = defaults.name
        self.database = try PostgresConfiguration(environment: environment, defaults: database)
        self.migrationDatabase = try Self.migrationDatabase(environment, runtime: self.database)
        self.migrationsDirectory = URL(
            fileURLWithPath: environment["MIGRATIONS_DIR"] ?? "database/migrations/\(defaults.migrationsFolder)")
        if let value = environment["LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw ConfigurationError(variable: "LOG_LEVEL", reason: "must be trace, debug, info, notice, warning, error or critical")
            }
            self.logLevel = level
        } else {
            self.logLevel = .info
        }
        self.internalToken = environment["INTERNAL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        self.connectionLimits = try ConnectionLimits(environment: environment, maxConnectionsPerIP: defaults.maxConnectionsPerIP)
        self.eventHeartbeat = .milliseconds(
            try environment.integerVariable("EVENT_HEARTBEAT_MS", in: 100...300_000, reason: "must be milliseconds from 100 to 300000")
                ?? 15_000)
    }

    /// The base URL of another service (`<NAME>_SERVICE_URL`, else its local address).
    public func url(of peer: PeerService) -> String {
        environment[peer.urlVariable].flatMap { $0.isEmpty ? nil : $0 } ?? peer.defaultURL
    }

    /// A client of another service's internal routes, with this service's `INTERNAL_TOKEN`.
    public func peer(_ peer: PeerService, client: CurlHTTPClient) -> InternalClient {
        InternalClient(http: client, service: peer.name, baseURL: url(of: peer), token: internalToken)
    }

    /// `MIGRATION_DATABASE_URL` read like `DATABASE_URL` (the same `DB_SSL*` fallbacks), for a
    /// short-lived pool of two connections on the same database.
    private static func migrationDatabase(
        _ environment: [String: String], runtime: PostgresConfiguration
    ) throws -> PostgresConfiguration? {
        guard let url = environment["MIGRATION_DATABASE_URL"], !url.isEmpty else { return nil }
        var ownerEnvironment = environment
        ownerEnvironment["DATABASE_URL"] = url
        var owner: PostgresConfiguration
        do {
            owner = try PostgresConfiguration(environment: ownerEnvironment, defaults: runtime)
        } catch let error as ConfigurationError {
            throw ConfigurationError(variable: "MIGRATION_DATABASE_URL", reason: error.reason)
        }
        guard owner.database == runtime.database else {
            throw ConfigurationError(
                variable: "MIGRATION_DATABASE_URL",
                reason: "names database \(owner.database), but DATABASE_URL names \(runtime.database): both must be the service's own")
        }
        owner.maxConnections = 2
        owner.minIdleConnections = 0
        owner.applicationName = "\(runtime.applicationName) migrations"
        return owner.user == runtime.user && owner.host == runtime.host && owner.port == runtime.port ? nil : owner
    }
}
