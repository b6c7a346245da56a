import Contracts
import Foundation
import Postgres
import ServiceKit

/// Recording a new order with its saga, finding the earlier request that used the same
/// `Idempotency-Key`, and loading a saga to drive it.
extension SagaStore {
    /// An earlier request with the same `Idempotency-Key`.
    struct EarlierRequest: Sendable {
        var orderID: Int
        var fingerprint: String
        var response: StoredResponse?
    }

    enum Placement: Sendable {
        case created(SagaRecord)
        case earlier(EarlierRequest)
        /// The key is taken by a request whose order is not visible yet (they raced).
        case inProgress
    }

    /// Records the order (`pending`), its saga (the lease held by this process) and the first
    /// log entry in one statement; or finds the earlier request that used the same key.
    func place(user: String, key: String?, order: OrderPlacement) async throws -> Placement {
        let rows = try await pool.query(
            """
            WITH saga AS (
                INSERT INTO order_sagas (order_id, user_uid, idempotency_key, request_fingerprint, items, payment_token,
                                         lease_owner, lease_until)
                VALUES (nextval(pg_get_serial_sequence('orders', 'id')), \(user), \(key), \(order.fingerprint),
                        \(try PostgresJSONB(encoding: order.items)), \(order.paymentToken), \(owner),
                        now() + \(lease.wholeMilliseconds) * interval '1 millisecond')
                ON CONFLICT (user_uid, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING order_id, saga_key),
            placed AS (
                INSERT INTO orders (id, user_uid, status, payment_method, shipping_method)
                SELECT order_id, \(user), \(OrderStatus.pending.rawValue), \(order.paymentMethod), \(order.shipping.rawValue)
                FROM saga RETURNING id),
            logged AS (
                INSERT INTO order_saga_events (order_id, action, outcome)
                SELECT id, \(SagaStep.recordOrder.rawValue), 'completed' FROM placed)
            SELECT order_id, saga_key FROM saga
            """)
        guard let row = rows.first else {
            // The key was used before (by a request that committed first, if they raced).
            guard let key, let earlier = try await pool.withConnection({ try await Self.earlier(user: user, key: key, on: $0) })
            else { return .inProgress }
            return .earlier(earlier)
        }
        return .created(
            SagaRecord(
                orderID: try row.decode("order_id"), sagaKey: try row.decode("saga_key"), userUID: user, items: order.items,
                paymentMethod: order.paymentMethod, shipping: order.shipping, paymentToken: order.paymentToken,
                totalAmount: Money(cents: 0), state: SagaState(replaying: [.stepCompleted(.recordOrder)]), cancelRequested: false,
                cancelLogged: false))
    }

    private static func earlier(user: String, key: String, on connection: PostgresConnection) async throws -> EarlierRequest? {
        guard let row = try await connection.query(
            """
            SELECT order_id, request_fingerprint, response_status, response_body FROM order_sagas
            WHERE user_uid = \(user) AND idempotency_key = \(key)
            """).first
        else { return nil }
        let status = try row.decode("response_status", as: Int?.self)
        return EarlierRequest(
            orderID: try row.decode("order_id"), fingerprint: try row.decode("request_fingerprint"),
            response: try status.map { StoredResponse(status: $0, body: try row.decode("response_body", as: PostgresJSONB?.self)) })
    }

    /// A saga with its log, for the process that holds its lease.
    func load(_ orderID: Int) async throws -> SagaRecord? {
        try await pool.withConnection { connection in
            guard let row = try await connection.query(
                """
                SELECT s.saga_key, s.user_uid, s.items, s.payment_token, s.cancel_requested, o.payment_method, o.shipping_method, o.total_amount
                FROM order_sagas s JOIN orders o ON o.id = s.order_id WHERE s.order_id = \(orderID)
                """).first
            else { return nil }
            let events = try await connection.query(
                "SELECT action, outcome, detail::text AS detail FROM order_saga_events WHERE order_id = \(orderID) ORDER BY id"
            ).compactMap { event in
                SagaEvent(
                    action: try event.decode("action"), outcome: try event.decode("outcome"),
                    detailJSON: try event.decode("detail", as: String?.self))
            }
            return SagaRecord(
                orderID: orderID, sagaKey: try row.decode("saga_key"), userUID: try row.decode("user_uid"),
                items: try row.decode("items", as: PostgresJSONB.self).decode(as: [StockReservationRequest.Item].self),
                paymentMethod: try row.decode("payment_method", as: String?.self) ?? "card",
                shipping: OrderTotals.Shipping(rawValue: try row.decode("shipping_method", as: String?.self) ?? "") ?? .standard,
                paymentToken: try row.decode("payment_token", as: String?.self), totalAmount: try row.money("total_amount"),
                state: SagaState(replaying: events), cancelRequested: try row.decode("cancel_requested"),
                cancelLogged: events.contains(.cancelRequested))
        }
    }
}
