import Foundation

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

    /// Creates a configuration; the pool settings have the project's defaults.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, user: String, password: String, database: String,
        maxConnections: Int = 20, minIdleConnections: Int = 2, acquireTimeout: Duration = .seconds(5),
        connectTimeoutSeconds: Int = 5, applicationName: String = "ecommerce"
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
    }

    /// Parses `postgres://user:password@host:port/database`. Returns `nil` if it is not such a URL.
    public init?(url: String) {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else { return nil }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { return nil }
        self.init(
            host: host, port: components.port ?? 5432,
            user: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding ?? "",
            database: database.removingPercentEncoding ?? database)
    }

    /// Reads `DATABASE_URL`, or else `DB_HOST`, `DB_PORT`, `DB_USER`, `DB_PASSWORD`, `DB_NAME`
    /// (each falling back to `defaults`), and the pool's `DB_MAX_CONNECTIONS`,
    /// `DB_ACQUIRE_TIMEOUT_MS` and `DB_CONNECT_TIMEOUT_SECONDS`.
    public init(environment: [String: String], defaults: PostgresConfiguration) throws {
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            guard let parsed = PostgresConfiguration(url: url) else {
                throw ConfigurationError(variable: "DATABASE_URL", reason: "is not a postgres:// URL")
            }
            self = parsed
        } else {
            self = defaults
            if let host = environment["DB_HOST"] { self.host = host }
            self.port = try environment.integerVariable("DB_PORT", in: 1...65535, reason: "must be a port number") ?? self.port
            if let user = environment["DB_USER"] { self.user = user }
            if let password = environment["DB_PASSWORD"] { self.password = password }
            if let name = environment["DB_NAME"] { self.database = name }
        }
        self.applicationName = defaults.applicationName
        self.maxConnections = try environment.integerVariable("DB_MAX_CONNECTIONS") ?? defaults.maxConnections
        self.minIdleConnections = min(defaults.minIdleConnections, maxConnections)
        self.acquireTimeout = try environment.integerVariable(
            "DB_ACQUIRE_TIMEOUT_MS", in: 1...600_000, reason: "must be milliseconds from 1 to 600000"
        ).map { .milliseconds($0) } ?? defaults.acquireTimeout
        // libpq counts whole seconds and treats anything below 2 as 2.
        self.connectTimeoutSeconds = try environment.integerVariable(
            "DB_CONNECT_TIMEOUT_SECONDS", in: 2...600, reason: "must be seconds from 2 to 600") ?? defaults.connectTimeoutSeconds
    }

    /// The `postgres://user:password@host:port/database` form of this configuration.
    public var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        components.password = password.isEmpty ? nil : password
        components.host = host
        components.port = port
        components.path = "/" + database
        return components.string ?? "postgres://\(host):\(port)/\(database)"
    }

    /// libpq connection keywords and values (passed as arrays, so no quoting is involved).
    var connectionParameters: [(String, String)] {
        [
            ("host", host), ("port", String(port)), ("user", user), ("password", password),
            ("dbname", database), ("connect_timeout", String(connectTimeoutSeconds)),
            ("application_name", applicationName), ("client_encoding", "UTF8"),
            // Timestamps come back in ISO format and UTC whatever the server's defaults are.
            ("options", "-c TimeZone=UTC -c DateStyle=ISO,YMD"),
        ]
    }
}
