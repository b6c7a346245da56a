/// An order's life: `pending` while its saga runs, then `confirmed` or `failed`; a confirmed
/// order is `shipped`, then `delivered`; `pending` and `confirmed` orders can be `cancelled`.
/// A value type with its transitions tested on their own.
enum OrderStatus: String, Sendable, CaseIterable, Codable {
    case pending, confirmed, shipped, delivered, cancelled, failed

    /// Who asks for a change.
    enum Change: Sendable, Equatable {
        /// The saga finished its steps.
        case sagaSucceeded
        /// The saga failed and compensated.
        case sagaFailed
        /// The owner or an admin cancels.
        case cancel
        /// An admin moves the order along (`PATCH {status}`).
        case admin(OrderStatus)
    }

    /// The status after the change, or `nil` when the change is not allowed (409 `invalid_transition`).
    func applying(_ change: Change) -> OrderStatus? {
        switch (self, change) {
        case (.pending, .sagaSucceeded): .confirmed
        case (.pending, .sagaFailed): .failed
        case (.pending, .cancel), (.confirmed, .cancel): .cancelled
        case (.confirmed, .admin(.shipped)): .shipped
        case (.shipped, .admin(.delivered)): .delivered
        default: nil
        }
    }

    /// No further change is possible.
    var isTerminal: Bool { [.delivered, .cancelled, .failed].contains(self) }
}

extension OrderStatus {
    /// Orders that count as a purchase: what a verified review and the sales figures look at.
    static let purchased: [String] = [OrderStatus.confirmed, .shipped, .delivered].map(\.rawValue)

    /// A change as the SQL applies it: the statuses it applies to and the one it leads to.
    /// Every write of `orders.status` follows this, so ``applying(_:)`` is the one authority on
    /// an order's life (a change with more than one target is a defect in this file).
    static func transition(_ change: Change) -> (from: [String], to: String) {
        let moves = allCases.compactMap { status in status.applying(change).map { (status, $0) } }
        let targets = Set(moves.map(\.1))
        precondition(targets.count == 1, "\(change) must lead to exactly one status")
        return (moves.map(\.0.rawValue), moves[0].1.rawValue)
    }

    /// A change the order's status does not allow (409 `invalid_transition`).
    struct InvalidTransition: Error, Sendable {
        let from: OrderStatus
        /// What was asked for; `cancelled` for a cancellation.
        let to: OrderStatus
    }
}
