import Contracts
import Postgres

/// An admin moves a confirmed order along: `shipped`, then `delivered`.
extension SagaStore {
    /// The order after the change; `nil` when there is no such order. The order's saga must
    /// be at rest: an order being cancelled cannot be shipped (``OrderStatus/InvalidTransition``).
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
                throw OrderStatus.InvalidTransition(from: status, to: target)
            }
            try await connection.query(
                Self.forOrder(
                    id, [OrderWrite.statusChange(.admin(target), extra: ", tracking_number = coalesce(\(trackingNumber), tracking_number)")]))
            return try await OrderStore.order(id, on: connection)
        }
    }
}
