import Metrics

/// The order saga's metrics: how sagas end (`order_sagas_finished_total{outcome, code}`),
/// which steps fail (`order_saga_step_failures_total{step, code}`), compensations by step and
/// result (`order_saga_compensations_total{step, result}`), sagas taken over by recovery
/// (`order_sagas_recovered_total`), and what is still open (`order_sagas_unfinished`,
/// `order_saga_oldest_unfinished_seconds`, against `order_saga_timeout_seconds`).
enum SagaMetrics {
    static let help = [
        "order_sagas_finished_total": "Order sagas ended, by outcome and failure code.",
        "order_saga_step_failures_total": "Saga steps that failed, by step and error code.",
        "order_saga_compensations_total": "Compensations run, by step and result.",
        "order_sagas_recovered_total": "Sagas taken over by the recovery worker after their lease ran out.",
        "order_sagas_unfinished": "Sagas not ended yet.",
        "order_saga_oldest_unfinished_seconds": "Age of the oldest saga not ended yet.",
        "order_saga_timeout_seconds": "ORDER_SAGA_TIMEOUT_MS: how long a saga may run before recovery takes it over.",
    ]

    static func finished(_ phase: SagaState.Phase) {
        let outcome: String, code: String
        switch phase {
        case .succeeded: (outcome, code) = ("confirmed", "")
        case .ended(.failed(let failure)): (outcome, code) = ("failed", failure.code)
        case .ended(.cancelled): (outcome, code) = ("cancelled", "")
        case .running, .compensating: return  // not ended: nothing to count yet
        }
        Counter(label: "order_sagas_finished_total", dimensions: [("outcome", outcome), ("code", code)]).increment()
    }

    static func stepFailed(_ step: SagaStep, code: String) {
        Counter(label: "order_saga_step_failures_total", dimensions: [("step", step.rawValue), ("code", code)]).increment()
    }

    static func compensation(_ compensation: SagaStep.Compensation, completed: Bool) {
        Counter(
            label: "order_saga_compensations_total",
            dimensions: [("step", compensation.rawValue), ("result", completed ? "completed" : "failed")]
        ).increment()
    }

    static func recovered(_ count: Int) {
        Counter(label: "order_sagas_recovered_total").increment(by: count)
    }

    static func open(count: Int, oldestSeconds: Double, timeout: Duration) {
        Gauge(label: "order_sagas_unfinished").record(count)
        Gauge(label: "order_saga_oldest_unfinished_seconds").record(oldestSeconds)
        Gauge(label: "order_saga_timeout_seconds").record(timeout / .seconds(1))
    }
}
