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

/// The order-creation saga's steps in order, and what undoing each takes.
enum SagaStep: String, Sendable, CaseIterable, Codable {
    case recordOrder = "record_order"
    case validateUser = "validate_user"
    case reserveStock = "reserve_stock"
    case chargePayment = "charge_payment"
    case confirmOrder = "confirm_order"

    /// The compensation for a completed step, if it left anything to undo.
    var compensation: Compensation? {
        switch self {
        case .reserveStock: .releaseStock
        case .chargePayment: .refundPayment
        case .recordOrder, .validateUser, .confirmOrder: nil
        }
    }

    enum Compensation: String, Sendable, Codable {
        case releaseStock = "release_stock"
        case refundPayment = "refund_payment"
    }
}

/// Where a saga is, as a value type: steps completed in order; on a failure, the completed
/// steps' compensations in reverse order; then done. Every transition is idempotent, so a
/// recovery worker can replay the saga log after a crash and land in the same state.
struct SagaState: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case running
        case compensating(reason: String)
        case succeeded
        case failed(reason: String)
    }

    private(set) var completed: [SagaStep] = []
    private(set) var compensated: [SagaStep.Compensation] = []
    private(set) var phase: Phase = .running

    /// The next thing to do: a step, a compensation, or nothing (the saga has ended).
    enum Action: Sendable, Equatable {
        case run(SagaStep)
        case compensate(SagaStep.Compensation)
        case finish(succeeded: Bool)
    }

    var nextAction: Action {
        switch phase {
        case .running:
            guard let next = SagaStep.allCases.first(where: { !completed.contains($0) }) else { return .finish(succeeded: true) }
            return .run(next)
        case .compensating:
            let pending = completed.reversed().compactMap(\.compensation).filter { !compensated.contains($0) }
            return pending.first.map(Action.compensate) ?? .finish(succeeded: false)
        case .succeeded: return .finish(succeeded: true)
        case .failed: return .finish(succeeded: false)
        }
    }

    mutating func stepCompleted(_ step: SagaStep) {
        guard case .running = phase, !completed.contains(step) else { return }
        completed.append(step)
        if completed.count == SagaStep.allCases.count { phase = .succeeded }
    }

    mutating func stepFailed(_ step: SagaStep, reason: String) {
        guard case .running = phase else { return }
        phase = .compensating(reason: reason)
        if nextAction == .finish(succeeded: false) { phase = .failed(reason: reason) }
    }

    mutating func compensationCompleted(_ compensation: SagaStep.Compensation) {
        guard case .compensating(let reason) = phase, !compensated.contains(compensation) else { return }
        compensated.append(compensation)
        if nextAction == .finish(succeeded: false) { phase = .failed(reason: reason) }
    }
}
