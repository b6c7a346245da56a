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
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Whether repeating the request cannot change the outcome (RFC 9110 §9.2.2), so it may be retried.
    public var isIdempotent: Bool {
        switch method {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": true
        default: false
        }
    }

    /// `scheme://host:port`: the upstream a circuit breaker is kept for.
    /// Read on the UTF-8 bytes, not with URLComponents: this runs for every request.
    var upstreamKey: String {
        let bytes = url.utf8
        var index = bytes.startIndex
        // scheme "://"
        while index < bytes.endIndex, bytes[index] != UInt8(ascii: ":") { index = bytes.index(after: index) }
        let scheme = Substring(bytes[bytes.startIndex..<index])
        guard bytes[index...].starts(with: "://".utf8) else { return url }
        let authorityStart = bytes.index(index, offsetBy: 3)
        var authorityEnd = authorityStart
        var hostStart = authorityStart
        var hasPort = false
        while authorityEnd < bytes.endIndex {
            let byte = bytes[authorityEnd]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "@") { hostStart = bytes.index(after: authorityEnd); hasPort = false }
            if byte == UInt8(ascii: ":") { hasPort = true }
            if byte == UInt8(ascii: "]") { hasPort = false }
            authorityEnd = bytes.index(after: authorityEnd)
        }
        let hostPort = Substring(bytes[hostStart..<authorityEnd])
        if hasPort { return "\(scheme)://\(hostPort)" }
        return "\(scheme)://\(hostPort):\(scheme == "https" ? 443 : 80)"
    }
}

extension String {
    /// Case-insensitive comparison for header names (ASCII), without Foundation's Unicode machinery.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 97 && (a | 0x20) <= 122)
        }
    }
}
