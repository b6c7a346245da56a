import CLibPQ
import Foundation

/// A `postgres://` URL that cannot be used; `reason` completes "DATABASE_URL …".
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "the database URL \(reason)" }
}

extension PostgresConfiguration {
    /// Parses `postgres://user:password@host:port/database?keyword=value&…`, the form libpq
    /// and the managed databases document:
    ///
    /// - every query parameter is a libpq connection keyword (`sslmode`, `sslrootcert`,
    ///   `sslcert`, `sslkey`, `application_name`, `connect_timeout`, `options`,
    ///   `target_session_attrs`, …) and reaches libpq as it is; one libpq does not know is
    ///   an error, so a misspelt `sslmode` cannot silently leave a connection unencrypted;
    /// - `host`, `port`, `user`, `password` and `dbname` in the query stand for those parts
    ///   of the URL, so a unix socket (`postgres://app@/orders?host=/cloudsql/project:region:db`)
    ///   needs no host before the path.
    ///
    /// URLComponents hands back user, password, path and query values percent-decoded
    /// already; decoding them again would turn a password's literal `%40` into `@`.
    public init(url: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw PostgresURLError(reason: "is not a postgres:// URL") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.libpqKeywords.contains(item.name) else {
                throw PostgresURLError(reason: "has \(item.name)=, which is not a libpq connection parameter")
            }
            guard let value = item.value, !value.isEmpty else { throw PostgresURLError(reason: "gives \(item.name) no value") }
            guard query.updateValue(value, forKey: item.name) == nil else { throw PostgresURLError(reason: "gives \(item.name) twice") }
        }
        guard let host = query.removeValue(forKey: "host") ?? components.host, !host.isEmpty else {
            throw PostgresURLError(reason: "names no host (after @, or host= for a unix socket)")
        }
        guard let database = query.removeValue(forKey: "dbname") ?? components.path.nonEmpty(droppingLeading: "/") else {
            throw PostgresURLError(reason: "names no database (the path, or dbname=)")
        }
        var port = components.port ?? 5432
        if let text = query.removeValue(forKey: "port") {
            guard let number = Int(text), (1...65535).contains(number) else { throw PostgresURLError(reason: "has a port that is not a port number") }
            port = number
        }
        if let mode = query["sslmode"], !Self.sslModes.contains(mode) {
            throw PostgresURLError(reason: "has sslmode=\(mode); it must be one of \(Self.sslModes.joined(separator: ", "))")
        }
        if let timeout = query["connect_timeout"], Int(timeout).map({ $0 >= 0 }) != true {
            throw PostgresURLError(reason: "has a connect_timeout that is not whole seconds")
        }
        self.init(
            host: host, port: port,
            user: query.removeValue(forKey: "user") ?? components.user ?? "postgres",
            password: query.removeValue(forKey: "password") ?? components.password ?? "",
            database: database, parameters: query)
    }

    /// The URL form of this configuration, parameters in the query; it parses back to the same.
    public var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        components.password = password.isEmpty ? nil : password
        components.path = "/" + database
        var items = parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        if host.hasPrefix("/") {
            // A unix socket's folder: `host=` (and `port=`, which names the socket file) in the query.
            items += [URLQueryItem(name: "host", value: host), URLQueryItem(name: "port", value: String(port))]
        } else {
            components.host = host
            components.port = port
        }
        components.queryItems = items.isEmpty ? nil : items
        // `+` means a space to many parsers; libpq's keywords never hold one, values may.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? "postgres://\(host)/\(database)"
    }

    /// The connection keywords the libpq this runs with knows (`PQconndefaults`).
    static let libpqKeywords: Set<String> = {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var keywords: Set<String> = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            keywords.insert(String(cString: keyword))
            option += 1
        }
        return keywords
    }()
}

extension String {
    /// The text without its leading `character`s, `nil` if nothing is left.
    fileprivate func nonEmpty(droppingLeading character: Character) -> String? {
        let rest = String(drop { $0 == character })
        return rest.isEmpty ? nil : rest
    }
}
