import Contracts
import Foundation
import Postgres
import ServiceKit

/// Orders, their items and payments as the API reads them. Every write to them is made by
/// ``SagaStore``, under the saga's lease.
struct OrderStore: Sendable {
    let pool: PostgresPool

    static let columns: StaticString = """
        id, user_uid, status, payment_status, payment_method, shipping_method, tracking_number, subtotal, tax_amount,
        shipping_amount, discount_amount, total_amount, failure_reason, created_at, updated_at
        """

    /// An order the principal may see (its owner, an admin or an `orders:read` API key); `nil` otherwise.
    func order(_ id: Int, visibleTo principal: Principal) async throws -> OrderResponse? {
        guard let order = try await pool.withConnection({ try await Self.order(id, on: $0) }), Self.isVisible(order, to: principal) else {
            return nil
        }
        return order
    }

    /// Whether the principal may see the order: its owner, an admin or an `orders:read` API key.
    static func isVisible(_ order: OrderResponse, to principal: Principal) -> Bool {
        principal.may(.ordersRead) || order.userUID == principal.uid
    }

    static func order(_ id: Int, on connection: PostgresConnection) async throws -> OrderResponse? {
        var select: PostgresQuery = "SELECT \(literal: Self.columns) FROM orders"
        select.append(" WHERE id = \(id)")
        guard let row = try await connection.query(select).first else { return nil }
        return try order(row, items: try await items(of: [id], on: connection)[id] ?? [])
    }

    /// Newest first; `user` limits the list to one user's orders.
    func list(user: String?, status: String?, page: PageRequest) async throws -> Page<OrderResponse> {
        try await pool.withConnection { connection in
            var condition: PostgresQuery = " WHERE true"
            if let user { condition.append(" AND user_uid = \(user)") }
            if let status { condition.append(" AND status = \(status)") }
            let (rows, info) = try await connection.pageRows(
                "SELECT \(literal: Self.columns) FROM orders", counting: "orders", where: condition,
                orderBy: "created_at DESC, id DESC", page: page) { $0 }
            let items = try await Self.items(of: try rows.map { try $0.decode("id") }, on: connection)
            return Page(data: try rows.map { row in try Self.order(row, items: items[try row.decode("id")] ?? []) }, page: info)
        }
    }

    /// The order's payment movements, oldest first.
    func payments(of order: Int, page: PageRequest) async throws -> Page<PaymentResponse> {
        let rows = try await pool.query(
            """
            SELECT id, order_id, amount, status, payment_method, currency, transaction_id, gateway, gateway_response::text AS response,
                   created_at, updated_at, count(*) OVER () AS total
            FROM payments WHERE order_id = \(order) ORDER BY id LIMIT \(page.limit) OFFSET \(page.offset)
            """)
        let payments = try rows.map { row in
            PaymentResponse(
                id: try row.decode("id"), orderID: try row.decode("order_id"), amount: try row.money("amount"),
                status: try row.decode("status"), paymentMethod: try row.decode("payment_method", as: String?.self),
                currency: try row.decode("currency"), transactionID: try row.decode("transaction_id", as: String?.self),
                gateway: try row.decode("gateway", as: String?.self),
                gatewayResponse: try row.decode("response", as: String?.self).flatMap {
                    try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
                },
                createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
        }
        let total: Int = try rows.first?.decode("total") ?? 0
        return Page(data: payments, page: PageInfo(limit: page.limit, offset: page.offset, total: total))
    }

    /// The user's newest confirmed, shipped or delivered order containing the product.
    func purchase(user: String, product: Int) async throws -> Int? {
        try await pool.query(
            """
            SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE o.user_uid = \(user) AND i.product_id = \(product) AND o.status = ANY(\(OrderStatus.purchased))
            ORDER BY o.created_at DESC LIMIT 1
            """
        ).first?.decode("id")
    }

    // MARK: Decoding

    private static func items(of orders: [Int], on connection: PostgresConnection) async throws -> [Int: [OrderResponse.Item]] {
        guard !orders.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT id, order_id, product_id, product_name, quantity, unit_price, subtotal, tax_amount, discount_amount, final_price
            FROM order_items WHERE order_id = ANY(\(orders)) ORDER BY id
            """)
        var items: [Int: [OrderResponse.Item]] = [:]
        for row in rows {
            items[try row.decode("order_id"), default: []].append(
                OrderResponse.Item(
                    id: try row.decode("id"), productID: try row.decode("product_id"), productName: try row.decode("product_name"),
                    quantity: try row.decode("quantity"), unitPrice: try row.money("unit_price"), subtotal: try row.money("subtotal"),
                    taxAmount: try row.money("tax_amount"), discountAmount: try row.money("discount_amount"),
                    finalPrice: try row.money("final_price")))
        }
        return items
    }

    /// An order row (with the ``columns``) and its items as the API shows them.
    static func order(_ row: PostgresRow, items: [OrderResponse.Item]) throws -> OrderResponse {
        OrderResponse(
            id: try row.decode("id"), userUID: try row.decode("user_uid"), status: try row.decode("status"),
            paymentStatus: try row.decode("payment_status"), paymentMethod: try row.decode("payment_method", as: String?.self),
            shippingMethod: try row.decode("shipping_method", as: String?.self),
            trackingNumber: try row.decode("tracking_number", as: String?.self), subtotal: try row.money("subtotal"),
            taxAmount: try row.money("tax_amount"), shippingAmount: try row.money("shipping_amount"),
            discountAmount: try row.money("discount_amount"), totalAmount: try row.money("total_amount"),
            failureReason: try row.decode("failure_reason", as: String?.self), items: items,
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
