import Foundation
import Primitives

/// Where a database is and how the pool reaches it.
public struct PostgresConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    /// Most connections the pool opens (`DB_MAX_CONNECTIONS`, default 20).
    public var maxConnections: Int
    /// Connections opened at start and kept even when idle.
    public var minIdleConnections: Int
    /// How long a caller waits for a free connection before `acquireTimeout`.
    public var acquireTimeout: Duration
    /// How long opening one connection may take.
    public var connectTimeoutSeconds: Int
    /// Shown in `pg_stat_activity.application_name`.
    public var applicationName: String
    /// Every other libpq connection parameter, by keyword: `sslmode`, `sslrootcert`,
    /// `target_session_attrs`, `options` and the rest (see ``init(url:)``).
    public var parameters: [String: String]

    /// Creates a configuration; the pool settings have the project's defaults.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, user: String, password: String, database: String,
        maxConnections: Int = 20, minIdleConnections: Int = 2, acquireTimeout: Duration = .seconds(5),
        connectTimeoutSeconds: Int = 5, applicationName: String = "ecommerce", parameters: [String: String] = [:]
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.maxConnections = max(1, maxConnections)
        self.minIdleConnections = min(max(0, minIdleConnections), self.maxConnections)
        self.acquireTimeout = acquireTimeout
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
        self.parameters = parameters
    }

    /// Reads `DATABASE_URL`, or else `DB_HOST`, `DB_PORT`, `DB_USER`, `DB_PASSWORD`, `DB_NAME`
    /// (each falling back to `defaults`); `DB_SSLMODE` and `DB_SSLROOTCERT` where the URL does
    /// not say; and the pool's `DB_MAX_CONNECTIONS`, `DB_ACQUIRE_TIMEOUT_MS` and
    /// `DB_CONNECT_TIMEOUT_SECONDS`. What the URL's query sets wins over these fields.
    public init(environment: [String: String], defaults: PostgresConfiguration) throws {
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            do {
                self = try PostgresConfiguration(url: url)
            } catch {
                throw ConfigurationError(variable: "DATABASE_URL", reason: error.reason)
            }
            self.applicationName = defaults.applicationName
        } else {
            self = defaults
            if let host = environment["DB_HOST"] { self.host = host }
            self.port = try environment.integerVariable("DB_PORT", in: 1...65535, reason: "must be a port number") ?? self.port
            if let user = environment["DB_USER"] { self.user = user }
            if let password = environment["DB_PASSWORD"] { self.password = password }
            if let name = environment["DB_NAME"] { self.database = name }
        }
        for (variable, keyword) in [("DB_SSLMODE", "sslmode"), ("DB_SSLROOTCERT", "sslrootcert")] {
            guard let value = environment[variable], !value.isEmpty, parameters[keyword] == nil else { continue }
            if keyword == "sslmode", !Self.sslModes.contains(value) {
                throw ConfigurationError(variable: variable, reason: "must be one of \(Self.sslModes.joined(separator: ", "))")
            }
            parameters[keyword] = value
        }
        self.maxConnections = try environment.integerVariable("DB_MAX_CONNECTIONS") ?? defaults.maxConnections
        self.minIdleConnections = min(defaults.minIdleConnections, maxConnections)
        self.acquireTimeout = try environment.integerVariable(
            "DB_ACQUIRE_TIMEOUT_MS", in: 1...600_000, reason: "must be milliseconds from 1 to 600000"
        ).map { .milliseconds($0) } ?? defaults.acquireTimeout
        // libpq counts whole seconds and treats anything below 2 as 2.
        self.connectTimeoutSeconds = try environment.integerVariable(
            "DB_CONNECT_TIMEOUT_SECONDS", in: 2...600, reason: "must be seconds from 2 to 600") ?? defaults.connectTimeoutSeconds
    }

    /// libpq connection keywords and values (passed as arrays, so no quoting is involved):
    /// the fields, then ``parameters``, which win.
    var connectionParameters: [(String, String)] {
        var values = [
            "host": host, "port": String(port), "user": user, "password": password, "dbname": database,
            "connect_timeout": String(connectTimeoutSeconds), "application_name": applicationName,
        ].merging(parameters) { $1 }
        // Text comes as UTF-8, timestamps in ISO format and UTC, whatever the server or the
        // URL says: ours come last in `options`, so they win there too.
        values["client_encoding"] = "UTF8"
        values["options"] = [parameters["options"], "-c TimeZone=UTC -c DateStyle=ISO,YMD"].compactMap { $0 }.joined(separator: " ")
        return values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// What `sslmode` may be.
    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
}
