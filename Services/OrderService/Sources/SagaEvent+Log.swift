import Foundation

/// How a ``SagaEvent`` is written in `order_saga_events`: `action`, `outcome` and a JSON `detail`.
extension SagaEvent {
    private struct Detail: Codable {
        var failure: SagaFailure?
        var uncertain: Bool?
        var reason: String?
    }

    var action: String {
        switch self {
        case .stepCompleted(let step), .stepFailed(let step, _, _): step.rawValue
        case .compensationCompleted(let compensation), .compensationFailed(let compensation, _): compensation.rawValue
        case .cancelRequested: "cancel"
        }
    }

    var outcome: String {
        switch self {
        case .stepCompleted, .compensationCompleted: "completed"
        case .stepFailed, .compensationFailed: "failed"
        case .cancelRequested: "requested"
        }
    }

    /// The detail as JSON text, empty when there is none.
    var detailJSON: String {
        let detail: Detail? =
            switch self {
            case .stepFailed(_, let failure, let uncertain): Detail(failure: failure, uncertain: uncertain)
            case .compensationFailed(_, let reason): Detail(reason: reason)
            case .stepCompleted, .compensationCompleted, .cancelRequested: nil
            }
        guard let detail, let data = try? JSONEncoder().encode(detail) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a logged event back; `nil` for a row this version does not know.
    init?(action: String, outcome: String, detailJSON: String?) {
        let detail = detailJSON.flatMap { try? JSONDecoder().decode(Detail.self, from: Data($0.utf8)) }
        switch (outcome, SagaStep(rawValue: action), SagaStep.Compensation(rawValue: action)) {
        case ("completed", let step?, _): self = .stepCompleted(step)
        case ("failed", let step?, _):
            self = .stepFailed(
                step, detail?.failure ?? SagaFailure(.internalError, "unknown failure"), uncertain: detail?.uncertain ?? true)
        case ("completed", _, let compensation?): self = .compensationCompleted(compensation)
        case ("failed", _, let compensation?): self = .compensationFailed(compensation, reason: detail?.reason ?? "")
        case ("requested", _, _) where action == "cancel": self = .cancelRequested
        default: return nil
        }
    }
}

extension SagaState.Phase {
    /// `order_sagas.phase`.
    var column: String {
        switch self {
        case .running: "running"
        case .compensating: "compensating"
        case .succeeded: "succeeded"
        case .ended(.failed): "failed"
        case .ended(.cancelled): "cancelled"
        }
    }
}
