import Contracts
import Foundation
import Hummingbird
import Postgres
import ServiceKit

/// Admin reads: `GET /api/v1/admin/api-logs` and `GET /api/v1/admin/analytics/summary`.
struct AdminController: Sendable {
    let pool: PostgresPool

    struct LogRow: Codable, Sendable, ResponseEncodable {
        var id: Int
        var serviceName: String
        var path: String
        var method: String
        var statusCode: Int
        var latencyMs: Double
        var userUID: String?
        var ipAddress: String?
        var userAgent: String?
        var requestID: String?
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, path, method
            case serviceName = "service_name", statusCode = "status_code", latencyMs = "latency_ms", userUID = "user_uid"
            case ipAddress = "ip_address", userAgent = "user_agent", requestID = "request_id", createdAt = "created_at"
        }

        /// `SELECT` of every column a row shows, for a `WHERE` and `ORDER BY` to be appended.
        static let select: PostgresQuery = """
            SELECT id, service_name, path, method, status_code, latency_ms, user_uid, host(ip_address) AS ip_address,
                   user_agent, request_id, created_at FROM api_logs
            """

        init(_ row: PostgresRow) throws {
            id = try row.decode("id")
            serviceName = try row.decode("service_name")
            path = try row.decode("path")
            method = try row.decode("method")
            statusCode = try row.decode("status_code")
            latencyMs = try row.decode("latency_ms")
            userUID = try row.decode("user_uid", as: String?.self)
            ipAddress = try row.decode("ip_address", as: String?.self)
            userAgent = try row.decode("user_agent", as: String?.self)
            requestID = try row.decode("request_id", as: String?.self)
            createdAt = try row.decode("created_at")
        }
    }

    struct Summary: Codable, Sendable, ResponseEncodable {
        var since: Date
        var until: Date
        var total: Int
        var byEventName: [String: Int]
        var byDay: [String: Int]

        enum CodingKeys: String, CodingKey {
            case since, until, total
            case byEventName = "by_event_name", byDay = "by_day"
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("api-logs", use: apiLogs)
        routes.get("analytics/summary", use: summary)
        return routes
    }

    @Sendable func apiLogs(_ request: Request, context: ServiceRequestContext) async throws -> Page<LogRow> {
        _ = try context.requireAdmin()
        let page = try request.pageRequest()
        var condition: PostgresQuery = " WHERE TRUE"
        if let service = try request.queryChoice("service_name", in: ["user", "product", "order", "gateway"]) {
            condition.append(" AND service_name = \(service)")
        }
        if let status = try request.queryInt("status_code", in: 100...599) { condition.append(" AND status_code = \(status)") }
        if let uid = try request.query("user_uid") { condition.append(" AND user_uid = \(uid)") }
        if let requestID = try request.query("request_id") { condition.append(" AND request_id = \(requestID)") }
        if let since = try request.queryDate("since") { condition.append(" AND created_at >= \(since)") }
        return try await pool.page(
            LogRow.select, counting: "api_logs", where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: LogRow.init)
    }

    @Sendable func summary(_ request: Request, context: ServiceRequestContext) async throws -> Summary {
        _ = try context.requireAdmin()
        let until = try request.queryDate("until") ?? Date()
        let since = try request.queryDate("since") ?? until.addingTimeInterval(-30 * 86_400)
        // A window ending before it starts holds no events: zero counts, not an error (the
        // document cannot forbid it, and a client's empty range is not a malformed request).
        let byName = try await pool.query(
            """
            SELECT event_name AS key, count(*) AS count FROM analytics_events
            WHERE created_at >= \(since) AND created_at < \(until) GROUP BY event_name
            """)
        let byDay = try await pool.query(
            """
            SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS key, count(*) AS count
            FROM analytics_events WHERE created_at >= \(since) AND created_at < \(until) GROUP BY 1
            """)
        func counts(_ rows: PostgresRows) throws -> [String: Int] {
            var counts: [String: Int] = [:]
            for row in rows { counts[try row.decode("key")] = try row.decode("count") }
            return counts
        }
        let names = try counts(byName)
        return Summary(since: since, until: until, total: names.values.reduce(0, +), byEventName: names, byDay: try counts(byDay))
    }
}
