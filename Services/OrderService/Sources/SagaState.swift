import Contracts

/// The order-creation saga's steps in order, and what undoing each takes.
enum SagaStep: String, Sendable, CaseIterable, Codable {
    case recordOrder = "record_order"
    case validateUser = "validate_user"
    case reserveStock = "reserve_stock"
    case chargePayment = "charge_payment"
    case confirmOrder = "confirm_order"

    /// The compensation for a step that took effect (or may have), if it left anything to undo.
    var compensation: Compensation? {
        switch self {
        case .reserveStock: .releaseStock
        case .chargePayment: .refundPayment
        case .recordOrder, .validateUser, .confirmOrder: nil
        }
    }

    enum Compensation: String, Sendable, CaseIterable, Codable {
        case releaseStock = "release_stock"
        case refundPayment = "refund_payment"
    }
}

/// Why a saga failed, as the contract's error (`code`, `message`, `details`): what the
/// client is told, now and on every replay of its `Idempotency-Key`.
struct SagaFailure: Codable, Sendable, Equatable, Error {
    var code: String
    var message: String
    var details: [String: JSONValue]?

    init(_ code: ErrorCode, _ message: String, details: [String: JSONValue]? = nil) {
        self.code = code.rawValue
        self.message = message
        self.details = details
    }

    /// The answer to the placing request when the order was cancelled before it was confirmed.
    static let cancelledWhilePlacing = SagaFailure(.conflict, "the order was cancelled while it was being placed")
}

/// One record of the saga log (`order_saga_events`).
enum SagaEvent: Sendable, Equatable {
    case stepCompleted(SagaStep)
    /// `uncertain`: the step may have taken effect anyway (a timeout after the request was
    /// sent), so its compensation runs too; compensations are safe on what never happened.
    case stepFailed(SagaStep, SagaFailure, uncertain: Bool)
    case compensationCompleted(SagaStep.Compensation)
    /// A compensation could not run now (its service is down); the recovery worker retries.
    case compensationFailed(SagaStep.Compensation, reason: String)
    case cancelRequested
}

/// Where a saga is, rebuilt from its log: steps in order; after a failure or a cancellation,
/// the compensations of what took effect, in reverse; then the end. Applying an event twice
/// changes nothing, so replaying the log after a crash lands in the same state.
struct SagaState: Sendable, Equatable {
    /// How a saga that did not succeed ends.
    enum Ending: Sendable, Equatable {
        case failed(SagaFailure)
        case cancelled
    }

    enum Phase: Sendable, Equatable {
        case running
        case compensating(Ending)
        case succeeded
        case ended(Ending)
    }

    /// What to do next.
    enum Action: Sendable, Equatable {
        case run(SagaStep)
        case compensate(SagaStep.Compensation)
        case finish(Phase)
    }

    /// Steps that took effect, or may have, in order.
    private(set) var effective: [SagaStep] = []
    private(set) var compensated: [SagaStep.Compensation] = []
    private(set) var phase: Phase = .running

    init() {}

    init(replaying events: [SagaEvent]) {
        for event in events { apply(event) }
    }

    var nextAction: Action {
        switch phase {
        case .running:
            guard let next = SagaStep.allCases.first(where: { !effective.contains($0) }) else { return .finish(.succeeded) }
            return .run(next)
        case .compensating(let ending):
            let pending = effective.reversed().compactMap(\.compensation).filter { !compensated.contains($0) }
            return pending.first.map(Action.compensate) ?? .finish(.ended(ending))
        case .succeeded, .ended:
            return .finish(phase)
        }
    }

    /// Why a step failed, once one has (compensations may still be running).
    var failure: SagaFailure? {
        switch phase {
        case .compensating(.failed(let failure)), .ended(.failed(let failure)): failure
        case .running, .compensating(.cancelled), .succeeded, .ended(.cancelled): nil
        }
    }

    /// Whether the saga has nothing left to do.
    var isSettled: Bool {
        switch phase {
        case .succeeded, .ended: true
        case .running, .compensating: false
        }
    }

    mutating func apply(_ event: SagaEvent) {
        switch event {
        case .stepCompleted(let step):
            guard case .running = phase, !effective.contains(step) else { return }
            effective.append(step)
            if effective.count == SagaStep.allCases.count { phase = .succeeded }
        case .stepFailed(let step, let failure, let uncertain):
            guard case .running = phase else { return }
            if uncertain, !effective.contains(step) { effective.append(step) }
            startCompensating(.failed(failure))
        case .compensationCompleted(let compensation):
            guard case .compensating(let ending) = phase, !compensated.contains(compensation) else { return }
            compensated.append(compensation)
            if case .finish = nextAction { phase = .ended(ending) }
        case .compensationFailed:
            break
        case .cancelRequested:
            switch phase {
            case .running, .succeeded: startCompensating(.cancelled)
            case .compensating, .ended: break
            }
        }
    }

    private mutating func startCompensating(_ ending: Ending) {
        phase = .compensating(ending)
        if case .finish = nextAction { phase = .ended(ending) }
    }
}
