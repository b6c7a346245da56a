import Contracts
import Foundation
import Postgres

/// An approved charge and the confirmation, the saga's last steps, in one statement.
extension SagaStore {
    /// What the confirming write left: the saga's progress, and the order as confirmed, or
    /// `nil` when a cancellation arrived meanwhile (the saga stays open and compensates next).
    struct Confirmation: Sendable {
        var progress: SagaProgress
        var order: OrderResponse?
    }

    /// The payment row, the order `confirmed` and `paid`, the saga ended with 201 kept for
    /// replays. A cancellation that arrived meanwhile keeps the saga open and the order as it is.
    func recordConfirmation(_ saga: SagaRecord, payment: PaymentRecord) async throws -> Confirmation {
        let events: [SagaEvent] = [.stepCompleted(.chargePayment), .stepCompleted(.confirmOrder)]
        let confirm = OrderStatus.transition(.sagaSucceeded)
        var query: PostgresQuery = """
            WITH lease AS (
                UPDATE order_sagas SET lease_until = now() + \(lease.wholeMilliseconds) * interval '1 millisecond', updated_at = now(),
                    phase = CASE WHEN cancel_requested THEN 'compensating' ELSE 'succeeded' END,
                    ended_at = CASE WHEN cancel_requested THEN NULL ELSE now() END,
                    payment_token = CASE WHEN cancel_requested THEN payment_token END,
                    lease_owner = CASE WHEN cancel_requested THEN lease_owner END,
                    response_status = CASE WHEN cancel_requested THEN response_status ELSE coalesce(response_status, 201) END
                WHERE order_id = \(saga.orderID) AND lease_owner = \(owner) RETURNING order_id, cancel_requested)
            """
        Self.appendWrites([Self.logInsert(saga.unlogged + events), try OrderWrite.paymentInsert(payment)], to: &query)
        query.append(
            """
            ,
            confirmed AS (
                UPDATE orders SET status = CASE WHEN status = ANY(\(confirm.from)) THEN \(confirm.to) ELSE status END,
                    payment_status = \(payment.orderPaymentStatus), updated_at = now()
                FROM lease WHERE orders.id = lease.order_id
                RETURNING orders.*)
            SELECT lease.cancel_requested, confirmed.*,
                (SELECT json_agg(json_build_object(
                            'id', i.id, 'product_id', i.product_id, 'product_name', i.product_name, 'quantity', i.quantity,
                            'unit_price', i.unit_price::text, 'subtotal', i.subtotal::text, 'tax_amount', i.tax_amount::text,
                            'discount_amount', i.discount_amount::text, 'final_price', i.final_price::text) ORDER BY i.id)
                 FROM order_items i WHERE i.order_id = lease.order_id)::text AS items
            FROM lease JOIN confirmed ON true
            """)
        guard let row = try await pool.query(query).first else { throw LeaseLost() }
        let state = saga.stateAfter(events)
        if try row.decode("cancel_requested", as: Bool.self) {
            return Confirmation(
                progress: SagaProgress(state: state, cancelRequested: true, cancelLogged: saga.cancelLogged), order: nil)
        }
        let items = try JSONDecoder().decode([OrderResponse.Item].self, from: Data((try row.decode("items", as: String?.self) ?? "[]").utf8))
        let order = try OrderStore.order(row, items: items)
        // The body of the first response, for replays (without it a replay shows the order as it is then).
        try await pool.query(
            """
            UPDATE order_sagas SET response_body = \(try PostgresJSONB(encoding: order, encoder: contractEncoder))
            WHERE order_id = \(saga.orderID) AND response_body IS NULL
            """)
        return Confirmation(
            progress: SagaProgress(state: state, cancelRequested: saga.cancelRequested, cancelLogged: saga.cancelLogged), order: order)
    }
}
