import Contracts
import Foundation
import Postgres
import ServiceKit

/// Orders, their items and payments in PostgreSQL: what the API reads and the writes the
/// saga's steps make inside their log transactions.
struct OrderStore: Sendable {
    let pool: PostgresPool

    static let columns = """
        id, user_uid, status, payment_status, payment_method, shipping_method, tracking_number, subtotal, tax_amount,
        shipping_amount, discount_amount, total_amount, failure_reason, created_at, updated_at
        """

    /// An order the principal may see (its owner, an admin or an `orders:read` API key); `nil` otherwise.
    func order(_ id: Int, visibleTo principal: Principal) async throws -> OrderResponse? {
        guard let order = try await pool.withConnection({ try await Self.order(id, on: $0) }),
            principal.may(.ordersRead) || order.userUID == principal.uid
        else { return nil }
        return order
    }

    static func order(_ id: Int, on connection: PostgresConnection) async throws -> OrderResponse? {
        var select = PostgresQuery(unsafeSQL: "SELECT \(columns) FROM orders")
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
            var select = PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM orders")
            select.append(condition)
            select.append(" ORDER BY created_at DESC, id DESC LIMIT \(page.limit) OFFSET \(page.offset)")
            var count: PostgresQuery = "SELECT count(*) AS total FROM orders"
            count.append(condition)
            let rows = try await connection.query(select)
            let items = try await Self.items(of: try rows.map { try $0.decode("id") }, on: connection)
            let total: Int = try await connection.query(count).first!.decode("total")
            let orders = try rows.map { row in try Self.order(row, items: items[try row.decode("id")] ?? []) }
            return Page(data: orders, page: PageInfo(limit: page.limit, offset: page.offset, total: total))
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

    /// An admin moves a confirmed order along (`shipped`, then `delivered`). The order's saga
    /// must be at rest: an order being cancelled cannot be shipped.
    func advance(_ id: Int, to target: OrderStatus, trackingNumber: String?) async throws -> OrderResponse? {
        try await pool.withTransaction { connection -> OrderResponse? in
            guard let row = try await connection.query(
                """
                SELECT o.status, s.ended_at IS NULL AS busy FROM orders o LEFT JOIN order_sagas s ON s.order_id = o.id
                WHERE o.id = \(id) FOR UPDATE OF o
                """).first
            else { return nil }
            let status = OrderStatus(rawValue: try row.decode("status")) ?? .failed
            guard status.applying(.admin(target)) == target, !(try row.decode("busy", as: Bool?.self) ?? false) else {
                throw APIError(.invalidTransition, "an order that is \(status.rawValue) cannot become \(target.rawValue)")
            }
            try await connection.query(
                """
                UPDATE orders SET status = \(target.rawValue), tracking_number = coalesce(\(trackingNumber), tracking_number),
                    updated_at = now()
                WHERE id = \(id)
                """)
            return try await Self.order(id, on: connection)
        }
    }

    /// The user's newest confirmed, shipped or delivered order containing the product.
    func purchase(user: String, product: Int) async throws -> Int? {
        try await pool.query(
            """
            SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE o.user_uid = \(user) AND i.product_id = \(product) AND o.status IN ('confirmed', 'shipped', 'delivered')
            ORDER BY o.created_at DESC LIMIT 1
            """
        ).first?.decode("id")
    }

    // MARK: Writes of the saga's steps (inside its log transactions)

    /// The reserved items with their name and price snapshots, and the order's totals, as
    /// writes for ``SagaStore/record(_:for:applying:)`` (they join its `lease`).
    static func reservationWrites(_ reservation: StockReservationResponse, totals: OrderTotals) -> [PostgresQuery] {
        let items = zip(reservation.items, totals.lines)
        return [
            """
            INSERT INTO order_items (order_id, product_id, product_name, quantity, unit_price, subtotal, tax_amount,
                                     discount_amount, final_price)
            SELECT lease.order_id, x.product_id, x.name, x.quantity, x.unit_price, x.subtotal, x.tax, x.discount, x.final
            FROM lease, unnest(\(items.map { $0.0.productID }), \(items.map { $0.0.name }), \(items.map { $0.0.quantity }),
                               \(items.map { $0.1.unitPrice.amount.description })::numeric[],
                               \(items.map { $0.1.subtotal.amount.description })::numeric[],
                               \(items.map { $0.1.taxAmount.amount.description })::numeric[],
                               \(items.map { $0.1.discountAmount.amount.description })::numeric[],
                               \(items.map { $0.1.finalPrice.amount.description })::numeric[])
                AS x(product_id, name, quantity, unit_price, subtotal, tax, discount, final)
            """,
            """
            UPDATE orders SET subtotal = \(totals.subtotal.amount), tax_amount = \(totals.taxAmount.amount),
                shipping_amount = \(totals.shippingAmount.amount), discount_amount = \(totals.discountAmount.amount),
                total_amount = \(totals.totalAmount.amount), updated_at = now()
            FROM lease WHERE orders.id = lease.order_id
            """,
        ]
    }

    /// A charge, a decline or a refund, recorded at most once per kind, and the order's `payment_status`.
    static func recordPayment(_ payment: PaymentRecord, order: Int, on connection: PostgresConnection) async throws {
        var query: PostgresQuery = "WITH lease AS (SELECT \(order)::int AS order_id), payment AS ("
        query.append(try payment.write)
        query.append(") UPDATE orders SET payment_status = \(payment.orderPaymentStatus), updated_at = now() WHERE id = \(order)")
        try await connection.query(query)
    }

    /// A step failed: the order will never be confirmed.
    static func fail(order: Int, reason: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE orders SET status = 'failed', failure_reason = \(reason), updated_at = now()
            WHERE id = \(order) AND status = 'pending'
            """)
    }

    /// Whether a charge of the order succeeded (so a refund has something to give back).
    static func succeededCharge(order: Int, on connection: PostgresConnection) async throws -> Money? {
        try await connection.query("SELECT amount FROM payments WHERE order_id = \(order) AND status = 'succeeded'")
            .first.map { try $0.money("amount") }
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
