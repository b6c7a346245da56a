import Foundation

/// An outgoing HTTP request.
public struct HTTPClientRequest: Sendable {
    /// The request method, upper case (`GET`, `POST`, …).
    public var method: String
    /// The absolute URL, `http://host:port/path?query`.
    public var url: String
    /// Header fields in order; names are case-insensitive.
    public var headers: [(name: String, value: String)]
    /// The body, if any.
    public var body: [UInt8]?
    /// The whole exchange must finish within this time (the client's default when `nil`).
    public var timeout: Duration?
    /// Overrides the client's retry policy for this request (e.g. `.never` for health probes).
    public var retry: RetryPolicy?

    /// Creates a request.
    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil, timeout: Duration? = nil, retry: RetryPolicy? = nil
    ) {
        self.method = method.uppercased()
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.retry = retry
    }

    /// A request whose body is `value` encoded as JSON.
    public static func json(
        method: String, url: String, body value: some Encodable, headers: [(name: String, value: String)] = [],
        encoder: JSONEncoder = JSONEncoder()
    ) throws -> HTTPClientRequest {
        HTTPClientRequest(
            method: method, url: url, headers: headers + [("Content-Type", "application/json")],
            body: Array(try encoder.encode(value)))
    }

    /// The first value of a header field.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Whether repeating the request cannot change the outcome (RFC 9110 §9.2.2), so it may be retried.
    public var isIdempotent: Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method)
    }

    /// `scheme://host:port`: the upstream a circuit breaker is kept for.
    var upstreamKey: String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        let scheme = components.scheme ?? "http"
        return "\(scheme)://\(host):\(components.port ?? (scheme == "https" ? 443 : 80))"
    }
}
