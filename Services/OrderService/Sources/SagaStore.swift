import Contracts
import Foundation
import Postgres
import ServiceKit

/// A saga as its driver sees it: the order's facts the steps need, and its state rebuilt from the log.
struct SagaRecord: Sendable {
    let orderID: Int
    /// The saga's own key (`order_sagas.saga_key`), `nil` for sagas recorded before keys existed.
    let sagaKey: UUID?
    let userUID: String
    let items: [StockReservationRequest.Item]
    let paymentMethod: String
    let shipping: OrderTotals.Shipping
    /// Kept until the saga ends, so that a recovery can still charge.
    let paymentToken: String?
    var totalAmount: Money
    var state: SagaState
    /// A cancellation was asked for (`order_sagas.cancel_requested`).
    var cancelRequested: Bool
    /// …and is in the log already.
    var cancelLogged: Bool
    /// Outcomes applied to `state` but not yet written: a read-only step's success travels
    /// with the next write (after a crash the step simply runs again).
    var unlogged: [SagaEvent] = []
    /// The order as the confirming write left it, for the response of the request that placed it.
    var confirmedOrder: OrderResponse?

    /// The id of the order's stock reservation at the Product service. Unique for ever: an
    /// order id comes back after the order database is reset or restored, the saga key does
    /// not (older sagas keep the id they were started with).
    var reservationID: String {
        sagaKey.map { "order-\(orderID)-\($0.uuidString.lowercased())" } ?? "order-\(orderID)"
    }

    /// The payment provider's idempotency key for the order's charge (the refund names it too).
    var chargeKey: String { "\(reservationID)-charge" }
    var refundKey: String { "\(reservationID)-refund" }
}

/// The first response to a request, kept for replays of its `Idempotency-Key`.
struct StoredResponse: Sendable {
    var status: Int
    /// The order for a 2xx; the ``SagaFailure`` otherwise. `nil` if the process died between
    /// confirming and keeping the body: a replay then shows the order as it is.
    var body: PostgresJSONB?
}

/// The saga's durable state in `order_sagas` and its append-only log in `order_saga_events`.
/// Every write is fenced by a lease: only the process holding a saga's lease may advance it,
/// and a process that lost it (it stalled past `ORDER_SAGA_TIMEOUT_MS`) stops.
struct SagaStore: Sendable {
    let pool: PostgresPool
    /// How long a saga stays with the process driving it before recovery may take it over.
    let lease: Duration
    /// This process's identity as a lease holder.
    let owner: UUID

    /// The lease was taken over by another process.
    struct LeaseLost: Error {}

    /// An earlier request with the same `Idempotency-Key`.
    struct EarlierRequest: Sendable {
        var orderID: Int
        var fingerprint: String
        var response: StoredResponse?
    }

    enum Placement: Sendable {
        case created(SagaRecord)
        case earlier(EarlierRequest)
    }

    private var leaseMilliseconds: Int { Int(lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000) }

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
                        now() + \(leaseMilliseconds) * interval '1 millisecond')
                ON CONFLICT (user_uid, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING order_id, saga_key),
            placed AS (
                INSERT INTO orders (id, user_uid, payment_method, shipping_method)
                SELECT order_id, \(user), \(order.paymentMethod), \(order.shipping.rawValue) FROM saga RETURNING id),
            logged AS (
                INSERT INTO order_saga_events (order_id, action, outcome)
                SELECT id, \(SagaStep.recordOrder.rawValue), 'completed' FROM placed)
            SELECT order_id, saga_key FROM saga
            """)
        guard let row = rows.first else {
            // The key was used before (by a request that committed first, if they raced).
            guard let key, let earlier = try await pool.withConnection({ try await Self.earlier(user: user, key: key, on: $0) })
            else { throw APIError.requestInProgress(order: nil) }
            return .earlier(earlier)
        }
        return .created(
            SagaRecord(
                orderID: try row.decode("order_id"), sagaKey: try row.decode("saga_key"), userUID: user, items: order.items, paymentMethod: order.paymentMethod,
                shipping: order.shipping, paymentToken: order.paymentToken, totalAmount: Money(cents: 0),
                state: SagaState(replaying: [.stepCompleted(.recordOrder)]), cancelRequested: false, cancelLogged: false))
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

    /// Appends `events` (and a pending cancellation) to the log, runs `effects` in the same
    /// transaction and renews the lease. When the saga has then nothing left to do (it failed
    /// or was cancelled and compensated) it is ended: the payment token is dropped and the
    /// failure kept as the first response.
    func record(
        _ events: [SagaEvent], for saga: inout SagaRecord,
        effects: @Sendable (PostgresConnection) async throws -> Void = { _ in }
    ) async throws {
        let current = saga
        let (state, cancelRequested) = try await pool.withTransaction { connection -> (SagaState, Bool) in
            let logged = current.unlogged + events
            var state = current.state
            for event in logged { state.apply(event) }
            guard let lease = try await connection.query(leaseAndLog(current.orderID, phase: state.phase, logged: logged)).first
            else { throw LeaseLost() }
            let cancelRequested: Bool = try lease.decode("cancel_requested")
            let cancelArrived = cancelRequested && !current.cancelLogged
            if cancelArrived {
                state.apply(.cancelRequested)
                try await Self.append([.cancelRequested], order: current.orderID, on: connection)
            }
            try await effects(connection)
            if state.isSettled || cancelArrived || state.failure != nil {
                try await settle(current.orderID, state: state, on: connection)
            }
            return (state, cancelRequested)
        }
        saga.state = state
        saga.unlogged = []
        saga.cancelLogged = saga.cancelLogged || cancelRequested
        saga.cancelRequested = cancelRequested
    }

    /// The common case in one statement and no transaction: renew the lease, append the
    /// events and apply `writes`, data-modifying statements that join `lease` and so do
    /// nothing once the lease is not ours. For outcomes after which the saga goes on; a
    /// cancellation noticed here is logged right after.
    func record(_ events: [SagaEvent], for saga: inout SagaRecord, applying writes: [PostgresQuery]) async throws {
        let logged = saga.unlogged + events
        var state = saga.state
        for event in logged { state.apply(event) }
        precondition(!state.isSettled, "an outcome that ends the saga is recorded with record(_:for:effects:)")
        let query = leaseAndLog(saga.orderID, phase: state.phase, logged: logged, writes: writes)
        guard let row = try await pool.query(query).first else { throw LeaseLost() }
        saga.state = state
        saga.unlogged = []
        if try row.decode("cancel_requested", as: Bool.self), !saga.cancelLogged {
            saga.cancelRequested = true
            try await record([], for: &saga)
        }
    }

    /// An approved charge and the confirmation, the saga's last steps, in one statement: the
    /// payment row, the order `confirmed` and `paid`, the saga ended with 201 kept for replays.
    /// A cancellation that arrived meanwhile keeps the saga open (it compensates next) and
    /// the order as it is; then `nil` is returned.
    func recordConfirmation(_ saga: inout SagaRecord, payment: PaymentRecord) async throws -> OrderResponse? {
        let logged = saga.unlogged + [.stepCompleted(.chargePayment), .stepCompleted(.confirmOrder)]
        var query: PostgresQuery = """
            WITH lease AS (
                UPDATE order_sagas SET lease_until = now() + \(leaseMilliseconds) * interval '1 millisecond', updated_at = now(),
                    phase = CASE WHEN cancel_requested THEN 'compensating' ELSE 'succeeded' END,
                    ended_at = CASE WHEN cancel_requested THEN NULL ELSE now() END,
                    payment_token = CASE WHEN cancel_requested THEN payment_token END,
                    lease_owner = CASE WHEN cancel_requested THEN lease_owner END,
                    response_status = CASE WHEN cancel_requested THEN response_status ELSE coalesce(response_status, 201) END
                WHERE order_id = \(saga.orderID) AND lease_owner = \(owner) RETURNING order_id, cancel_requested),
            """
        query.append(Self.loggedCTE(logged))
        query.append(", payment AS (")
        query.append(try payment.write)
        query.append(
            """
            ),
            confirmed AS (
                UPDATE orders SET status = CASE WHEN status = 'pending' THEN 'confirmed' ELSE status END,
                    payment_status = 'paid', updated_at = now()
                FROM lease WHERE orders.id = lease.order_id
                RETURNING orders.id, orders.user_uid, orders.status, orders.payment_status, orders.payment_method,
                    orders.shipping_method, orders.tracking_number, orders.subtotal, orders.tax_amount, orders.shipping_amount,
                    orders.discount_amount, orders.total_amount, orders.failure_reason, orders.created_at, orders.updated_at)
            SELECT lease.cancel_requested, confirmed.*,
                (SELECT json_agg(json_build_object(
                            'id', i.id, 'product_id', i.product_id, 'product_name', i.product_name, 'quantity', i.quantity,
                            'unit_price', i.unit_price::text, 'subtotal', i.subtotal::text, 'tax_amount', i.tax_amount::text,
                            'discount_amount', i.discount_amount::text, 'final_price', i.final_price::text) ORDER BY i.id)
                 FROM order_items i WHERE i.order_id = lease.order_id)::text AS items
            FROM lease JOIN confirmed ON true
            """)
        guard let row = try await pool.query(query).first else { throw LeaseLost() }
        for event in logged { saga.state.apply(event) }
        saga.unlogged = []
        if try row.decode("cancel_requested", as: Bool.self) {
            saga.cancelRequested = true
            if !saga.cancelLogged { try await record([], for: &saga) }
            return nil
        }
        let items = try JSONDecoder().decode([OrderResponse.Item].self, from: Data((try row.decode("items", as: String?.self) ?? "[]").utf8))
        let order = try OrderStore.order(row, items: items)
        // The body of the first response, for replays (without it a replay shows the order as it is then).
        try await pool.query(
            """
            UPDATE order_sagas SET response_body = \(try PostgresJSONB(encoding: order, encoder: contractEncoder))
            WHERE order_id = \(saga.orderID) AND response_body IS NULL
            """)
        return order
    }

    /// One statement: renew the lease (only if still ours), set the phase, append `logged` in
    /// order and apply `writes` (statements joining `lease`); answers `cancel_requested`, or
    /// no row when the lease is lost.
    private func leaseAndLog(_ orderID: Int, phase: SagaState.Phase, logged: [SagaEvent], writes: [PostgresQuery] = []) -> PostgresQuery {
        var query: PostgresQuery = """
            WITH lease AS (
                UPDATE order_sagas SET lease_until = now() + \(leaseMilliseconds) * interval '1 millisecond', updated_at = now(),
                    phase = \(phase.column)
                WHERE order_id = \(orderID) AND lease_owner = \(owner) RETURNING order_id, cancel_requested),
            """
        query.append(Self.loggedCTE(logged))
        for (index, write) in writes.enumerated() {
            query.append(PostgresQuery(unsafeSQL: ", write\(index) AS ("))
            query.append(write)
            query.append(")")
        }
        query.append(" SELECT cancel_requested FROM lease")
        return query
    }

    /// `logged AS (…)`: the events, in order, for the order `lease` names.
    private static func loggedCTE(_ events: [SagaEvent]) -> PostgresQuery {
        """
        logged AS (
            INSERT INTO order_saga_events (order_id, action, outcome, detail)
            SELECT lease.order_id, e.action, e.outcome, NULLIF(e.detail, '')::jsonb
            FROM lease, unnest(\(events.map(\.action)), \(events.map(\.outcome)), \(events.map(\.detailJSON)))
                WITH ORDINALITY AS e(action, outcome, detail, n)
            ORDER BY e.n)
        """
    }

    /// Writes what the log's last events decided: the phase; once a step has failed, that
    /// failure as the first response (the client has its answer while compensations may still
    /// wait for a service); and for a saga with nothing left to do, its end (payment token
    /// dropped; a cancellation during placement answers 409). A response kept already stays
    /// (an order cancelled after its confirmation keeps its 201).
    private func settle(_ orderID: Int, state: SagaState, on connection: PostgresConnection) async throws {
        let answer = state.failure ?? (state.isSettled ? SagaFailure.cancelledWhilePlacing : nil)
        try await connection.query(
            """
            UPDATE order_sagas SET phase = \(state.phase.column), updated_at = now(),
                ended_at = CASE WHEN \(state.isSettled) THEN now() END,
                payment_token = CASE WHEN \(state.isSettled) THEN NULL ELSE payment_token END,
                lease_owner = CASE WHEN \(state.isSettled) THEN NULL ELSE lease_owner END,
                failure = \(try state.failure.map { try PostgresJSONB(encoding: $0) }),
                response_status = coalesce(response_status, \(answer.map { ErrorCode(rawValue: $0.code).httpStatus })),
                response_body = CASE WHEN response_status IS NULL THEN \(try answer.map { try PostgresJSONB(encoding: $0) })
                                     ELSE response_body END
            WHERE order_id = \(orderID)
            """)
    }

    private static func append(_ events: [SagaEvent], order: Int, on connection: PostgresConnection) async throws {
        var query: PostgresQuery = "WITH lease AS (SELECT \(order)::int AS order_id), "
        query.append(loggedCTE(events))
        query.append(" SELECT 1")
        try await connection.query(query)
    }

    /// Takes over up to `limit` sagas whose lease ran out (their process died or stalled).
    func claimExpired(limit: Int) async throws -> [Int] {
        try await pool.query(
            """
            UPDATE order_sagas SET lease_owner = \(owner), lease_until = now() + \(leaseMilliseconds) * interval '1 millisecond',
                attempts = attempts + 1, updated_at = now()
            WHERE order_id IN (
                SELECT order_id FROM order_sagas WHERE ended_at IS NULL AND lease_until < now()
                ORDER BY lease_until LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING order_id
            """
        ).map { try $0.decode("order_id") }
    }

    /// What a cancellation should do next.
    enum CancelStart: Sendable {
        /// This process holds the lease now: drive the compensations.
        case drive
        /// Another process is driving the saga; it will see the request at its next step.
        case waitForEnd
    }

    /// Starts cancelling an order the caller may see: the order becomes `cancelled` at once and
    /// its saga compensates. `nil` when the caller cannot see the order.
    ///
    /// Locks the saga's row, then the order's: the order every saga write takes them in (the
    /// lease first, then the order's own writes), so concurrent cancels and compensations wait
    /// for each other instead of deadlocking.
    func startCancel(_ orderID: Int, by principal: Principal) async throws -> CancelStart? {
        try await pool.withTransaction { connection -> CancelStart? in
            guard let saga = try await connection.query(
                """
                SELECT ended_at IS NOT NULL AS ended, lease_until < now() AS expired, cancel_requested
                FROM order_sagas WHERE order_id = \(orderID) FOR UPDATE
                """).first,
                let row = try await connection.query("SELECT status, user_uid FROM orders WHERE id = \(orderID) FOR UPDATE").first
            else { return nil }
            let customer: String = try row.decode("user_uid")
            guard principal.isAdmin || customer == principal.uid else { return nil }
            let ended: Bool = try saga.decode("ended")
            // A cancellation already under way: wait for it rather than refuse.
            if try saga.decode("cancel_requested", as: Bool.self), !ended { return .waitForEnd }
            let status = OrderStatus(rawValue: try row.decode("status")) ?? .failed
            guard status.applying(.cancel) != nil else {
                throw APIError(.invalidTransition, "an order that is \(status.rawValue) cannot be cancelled")
            }
            try await connection.query("UPDATE orders SET status = 'cancelled', updated_at = now() WHERE id = \(orderID)")
            let expired: Bool = try saga.decode("expired")
            let takeOver = ended || expired
            try await connection.query(
                """
                UPDATE order_sagas SET cancel_requested = true, updated_at = now(), ended_at = NULL,
                    phase = CASE WHEN \(ended) THEN 'compensating' ELSE phase END,
                    lease_owner = CASE WHEN \(takeOver) THEN \(owner)::uuid ELSE lease_owner END,
                    lease_until = CASE WHEN \(takeOver) THEN now() + \(leaseMilliseconds) * interval '1 millisecond' ELSE lease_until END
                WHERE order_id = \(orderID)
                """)
            return takeOver ? .drive : .waitForEnd
        }
    }

    /// Whether the saga has ended (for a cancellation waiting on another process).
    func hasEnded(_ orderID: Int) async throws -> Bool {
        try await pool.query("SELECT ended_at IS NOT NULL AS ended FROM order_sagas WHERE order_id = \(orderID)")
            .first?.decode("ended") ?? true
    }
}
