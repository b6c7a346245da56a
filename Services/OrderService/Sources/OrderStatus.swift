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
