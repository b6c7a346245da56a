import Foundation

/// `redis://[[user]:password@]host[:port][/database]`. `rediss://` (Redis over TLS) is refused
/// rather than spoken in clear: this client has no TLS.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int

    public init(host: String, port: Int = 6379, user: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parsed the way `PostgresConfiguration(url:)` reads `postgres://` URLs: URLComponents,
    /// whose user and password come back percent-decoded once.
    public init(parsing text: String) throws {
        guard let components = URLComponents(string: text) else { throw RedisError.invalidURL("not a URL") }
        if components.scheme == "rediss" {
            throw RedisError.invalidURL("rediss:// (TLS) is not supported; use a TLS proxy on the host or redis://")
        }
        guard components.scheme == "redis" else { throw RedisError.invalidURL("must start with redis://") }
        guard let host = components.host, !host.isEmpty else { throw RedisError.invalidURL("no host") }
        let port = components.port ?? 6379
        guard (1...65535).contains(port) else { throw RedisError.invalidURL("port must be 1 to 65535") }
        let path = components.path.drop(while: { $0 == "/" })
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else {
            throw RedisError.invalidURL("database must be a number")
        }
        let user = components.user
        self.init(
            host: host, port: port, user: user?.isEmpty == false ? user : nil, password: components.password,
            database: database)
    }
}
