import Contracts
import Postgres
import ServiceKit

/// A write a saga step makes to its order, applied by ``SagaStore`` in the same statement or
/// transaction as the log entry that decided it. Each is a set of statements joining `lease`
/// (the saga's row, taken or renewed), one per table, so it does nothing once the lease is lost.
enum OrderWrite: Sendable {
    /// The reserved items with their name and price snapshots, and the order's totals.
    case reservation(StockReservationResponse, OrderTotals)
    /// A charge, a decline or a refund, recorded at most once per kind, and the order's `payment_status`.
    case payment(PaymentRecord)
    /// A step failed: the order will never be confirmed.
    case failure(reason: String)

    var statements: [PostgresQuery] {
        get throws {
            switch self {
            case .reservation(let reservation, let totals):
                Self.reservationStatements(reservation, totals: totals)
            case .payment(let payment):
                [
                    try Self.paymentInsert(payment),
                    """
                    UPDATE orders SET payment_status = \(payment.orderPaymentStatus), updated_at = now()
                    FROM lease WHERE orders.id = lease.order_id
                    """,
                ]
            case .failure(let reason):
                [Self.statusChange(.sagaFailed, extra: ", failure_reason = \(reason)")]
            }
        }
    }

    /// The `payments` row, at most once per kind (partial unique indexes), so a repeated step
    /// writes nothing.
    static func paymentInsert(_ payment: PaymentRecord) throws -> PostgresQuery {
        """
        INSERT INTO payments (order_id, amount, status, payment_method, transaction_id, gateway, gateway_response)
        SELECT lease.order_id, \(payment.amount.amount), \(payment.status), \(payment.method), \(payment.outcome.transactionID),
               \(payment.gateway), \(try PostgresJSONB(encoding: payment.outcome.response))
        FROM lease ON CONFLICT DO NOTHING
        """
    }

    /// `UPDATE orders SET status = …` for `change`, as ``OrderStatus/transition(_:)`` says:
    /// only from a status the change applies to.
    static func statusChange(_ change: OrderStatus.Change, extra: PostgresQuery = "") -> PostgresQuery {
        let transition = OrderStatus.transition(change)
        var query: PostgresQuery = "UPDATE orders SET status = \(transition.to), updated_at = now()"
        query.append(extra)
        query.append(" FROM lease WHERE orders.id = lease.order_id AND orders.status = ANY(\(transition.from))")
        return query
    }

    private static func reservationStatements(_ reservation: StockReservationResponse, totals: OrderTotals) -> [PostgresQuery] {
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
}

extension SagaStore {
    /// What a successful charge of the order took (so a refund has something to give back).
    func chargedAmount(of order: Int) async throws -> Money? {
        try await pool.query("SELECT amount FROM payments WHERE order_id = \(order) AND status = 'succeeded'")
            .first.map { try $0.money("amount") }
    }
}
