import Contracts
import Foundation
import Hummingbird
import Postgres
import ServiceKit

/// `GET /internal/stats/orders?hours=24`, behind the internal token: orders per hour by outcome,
/// revenue, and the ten products sold most, over the last `hours` (1 to 168).
struct OrderStatsController: Sendable {
    let pool: PostgresPool

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("orders", use: orders)
        return routes
    }

    @Sendable func orders(_ request: Request, context: ServiceRequestContext) async throws -> OrderStats {
        let hours = try request.queryInt("hours") ?? 24
        guard (1...168).contains(hours) else {
            throw APIError.validation(["hours": "must be from 1 to 168"])
        }
        let since = Date(timeIntervalSinceNow: -Double(hours) * 3600)
        let perHour = try await pool.query(
            """
            SELECT date_trunc('hour', created_at) AS hour,
                   count(*) FILTER (WHERE status = ANY(\(OrderStatus.purchased)))::int AS confirmed,
                   count(*) FILTER (WHERE status = \(OrderStatus.failed.rawValue))::int AS failed,
                   count(*) FILTER (WHERE status = \(OrderStatus.cancelled.rawValue))::int AS cancelled,
                   COALESCE(sum(total_amount) FILTER (WHERE status = ANY(\(OrderStatus.purchased))), 0)::text AS revenue
            FROM orders WHERE created_at >= \(since)
            GROUP BY 1 ORDER BY 1
            """)
        let top = try await pool.query(
            """
            SELECT i.product_id, max(i.product_name) AS product_name, sum(i.quantity)::int AS units,
                   sum(i.final_price)::text AS revenue
            FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE o.created_at >= \(since) AND o.status = ANY(\(OrderStatus.purchased))
            GROUP BY i.product_id ORDER BY units DESC, revenue DESC, i.product_id LIMIT 10
            """)
        return OrderStats(
            since: since,
            hours: try perHour.map {
                OrderStats.Hour(
                    hour: try $0.decode("hour"), confirmed: try $0.decode("confirmed"), failed: try $0.decode("failed"),
                    cancelled: try $0.decode("cancelled"), revenue: try $0.money("revenue"))
            },
            topProducts: try top.map {
                OrderStats.TopProduct(
                    productID: try $0.decode("product_id"), productName: try $0.decode("product_name"), units: try $0.decode("units"),
                    revenue: try $0.money("revenue"))
            })
    }
}

extension OrderStats: ResponseEncodable {}
