import Foundation
import Postgres

/// One `api_logs` row. Its values come from the request (method, path, user agent, request
/// id, the caller's address), so ``sanitized`` makes each fit its column before the row is
/// queued: a value PostgreSQL would refuse must never hold up the rows written with it.
struct APILogEntry: Sendable {
    var serviceName: String
    var path: String
    var method: String
    var statusCode: Int
    var latencyMilliseconds: Double
    var userUID: String?
    var ipAddress: String?
    var userAgent: String?
    var requestID: String
    var createdAt: Date

    static let columns = [
        "service_name", "path", "method", "status_code", "latency_ms", "user_uid", "ip_address", "user_agent", "request_id",
        "created_at",
    ]

    /// Longest values kept, in characters (PostgreSQL counts code points): the `VARCHAR`
    /// widths of `api_logs`, and bounds of our own for the `TEXT` columns.
    enum Limit {
        static let serviceName = 50
        static let path = 2000
        static let method = 32
        static let userUID = 255
        static let userAgent = 1000
        static let requestID = 128
    }

    /// The row with every text clipped to its column (by code point, never splitting one),
    /// NUL characters (which PostgreSQL text cannot hold) replaced, and an address that is
    /// not an IP dropped (the column is `INET`).
    var sanitized: APILogEntry {
        var entry = self
        entry.serviceName = Self.fit(serviceName, Limit.serviceName)
        entry.path = Self.fit(path, Limit.path)
        entry.method = Self.fit(method, Limit.method)
        entry.userUID = userUID.map { Self.fit($0, Limit.userUID) }
        entry.userAgent = userAgent.map { Self.fit($0, Limit.userAgent) }
        entry.requestID = Self.fit(requestID, Limit.requestID)
        entry.ipAddress = ipAddress.flatMap { Self.isIPAddress($0) ? $0 : nil }
        return entry
    }

    /// The COPY row, in ``columns`` order.
    var binds: [PostgresBind] {
        [
            PostgresBind(type: .text, text: serviceName), PostgresBind(type: .text, text: path),
            PostgresBind(type: .text, text: method), PostgresBind(type: .int8, text: String(statusCode)),
            PostgresBind(type: .float8, text: latencyMilliseconds.postgresText), PostgresBind(type: .text, text: userUID),
            PostgresBind(type: .text, text: ipAddress), PostgresBind(type: .text, text: userAgent),
            PostgresBind(type: .text, text: requestID), PostgresBind(type: .timestamptz, text: createdAt.postgresText),
        ]
    }

    static func fit(_ value: String, _ limit: Int) -> String {
        let clean = value.contains("\u{0}") ? value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : value
        let scalars = clean.unicodeScalars
        guard scalars.count > limit else { return clean }
        var clipped = String.UnicodeScalarView()
        clipped.append(contentsOf: scalars.prefix(limit))
        return String(clipped)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
