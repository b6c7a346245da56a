import Contracts
import Foundation
import HTTPClient
import Logging
import Hummingbird
import Postgres
import ServiceKit

/// `GET /api/v1/admin/dashboard` (admin): what the operator's page at `/admin/` shows besides
/// `/health` and the analytics summary. Traffic per service over the last hour from
/// `api_logs` (requests, requests a minute, 5xx share, p95 latency), the latest failed
/// requests (status 400 and above) with their request ids, and the Order service's orders
/// per hour, revenue and top products of the last 24 hours. When the Order service cannot be
/// asked, `orders` is `null` and `unavailable` names it: the rest is still worth showing.
struct DashboardController: Sendable {
    let pool: PostgresPool
    let orderService: InternalClient

    struct Traffic: Codable, Sendable {
        var service: String
        var requests: Int
        var requestsPerMinute: Double
        var serverErrors: Int
        var errorShare: Double
        var p95Ms: Double

        enum CodingKeys: String, CodingKey {
            case service, requests
            case requestsPerMinute = "requests_per_minute", serverErrors = "server_errors", errorShare = "error_share", p95Ms = "p95_ms"
        }
    }

    struct Report: Codable, Sendable, ResponseEncodable {
        var generatedAt: Date
        var windowMinutes: Int
        var traffic: [Traffic]
        var failures: [AdminController.LogRow]
        var orders: OrderStats?
        var unavailable: [String]

        enum CodingKeys: String, CodingKey {
            case traffic, failures, orders, unavailable
            case generatedAt = "generated_at", windowMinutes = "window_minutes"
        }
    }

    static let windowMinutes = 60

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: report)
        return routes
    }

    @Sendable func report(_ request: Request, context: ServiceRequestContext) async throws -> Report {
        _ = try context.requireAdmin()
        async let orders = orderStats(logger: context.logger)
        let since = Date(timeIntervalSinceNow: -Double(Self.windowMinutes) * 60)
        let traffic = try await pool.query(
            """
            SELECT service_name, count(*)::int AS requests, count(*) FILTER (WHERE status_code >= 500)::int AS server_errors,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
            FROM api_logs WHERE created_at >= \(since) GROUP BY service_name ORDER BY service_name
            """
        ).map { row in
            let requests: Int = try row.decode("requests")
            let errors: Int = try row.decode("server_errors")
            return Traffic(
                service: try row.decode("service_name"), requests: requests,
                requestsPerMinute: Double(requests) / Double(Self.windowMinutes), serverErrors: errors,
                errorShare: requests == 0 ? 0 : Double(errors) / Double(requests), p95Ms: try row.decode("p95"))
        }
        var latestFailures = AdminController.LogRow.select
        latestFailures.append(" WHERE status_code >= 400 ORDER BY created_at DESC, id DESC LIMIT 10")
        let failures = try await pool.query(latestFailures).map(AdminController.LogRow.init)
        let stats = await orders
        return Report(
            generatedAt: Date(), windowMinutes: Self.windowMinutes, traffic: traffic, failures: failures, orders: stats,
            unavailable: stats == nil ? ["order"] : [])
    }

    private func orderStats(logger: Logger) async -> OrderStats? {
        do {
            return try await orderService.fetch(
                OrderStats.self, orderService.request("GET", "/internal/stats/orders", query: [("hours", "24")]), what: "order figures")
        } catch {
            logger.warning("the dashboard's order figures cannot be read", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
