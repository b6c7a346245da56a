import Postgres
import ServiceKit

/// Cancelling an order: the order becomes `cancelled` at once and its saga compensates.
extension SagaStore {
    /// What a cancellation should do next.
    enum CancelStart: Sendable {
        /// This process holds the lease now: drive the compensations.
        case drive
        /// Another process is driving the saga; it will see the request at its next step.
        case waitForEnd
    }

    /// Starts cancelling an order the caller may see. `nil` when the caller cannot see the
    /// order; ``OrderStatus/InvalidTransition`` when its status allows no cancellation.
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
            guard status.applying(.cancel) != nil else { throw OrderStatus.InvalidTransition(from: status, to: .cancelled) }
            try await connection.query(Self.forOrder(orderID, [OrderWrite.statusChange(.cancel)]))
            let expired: Bool = try saga.decode("expired")
            let takeOver = ended || expired
            try await connection.query(
                """
                UPDATE order_sagas SET cancel_requested = true, updated_at = now(), ended_at = NULL,
                    phase = CASE WHEN \(ended) THEN 'compensating' ELSE phase END,
                    lease_owner = CASE WHEN \(takeOver) THEN \(owner)::uuid ELSE lease_owner END,
                    lease_until = CASE WHEN \(takeOver) THEN now() + \(lease.wholeMilliseconds) * interval '1 millisecond' ELSE lease_until END
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
