import Foundation
import Logging
import Postgres
import Primitives

/// A place in the saga where the process kills itself with SIGKILL, so that tests can prove
/// crash recovery: `ORDER_SAGA_FAULT_POINT=<action>:<before|after>`, where `action` is a
/// step (`reserve_stock` …) or a compensation (`release_stock` …). `after` fires once the
/// action has taken effect and before the saga log records it, the worst moment to die.
struct FaultPoint: Sendable, Equatable {
    enum Moment: String, Sendable { case before, after }

    let action: String
    let moment: Moment

    init(parsing text: String) throws {
        let parts = text.split(separator: ":").map(String.init)
        let actions = SagaStep.allCases.map(\.rawValue) + SagaStep.Compensation.allCases.map(\.rawValue)
        guard parts.count == 2, actions.contains(parts[0]), let moment = Moment(rawValue: parts[1]) else {
            throw ConfigurationError(
                variable: "ORDER_SAGA_FAULT_POINT", reason: "must be <action>:<before|after> with action one of \(actions)")
        }
        self.action = parts[0]
        self.moment = moment
    }

    /// Dies here if this is the configured point.
    static func check(_ point: FaultPoint?, _ action: String, _ moment: Moment, logger: Logger) {
        guard let point, point.action == action, point.moment == moment else { return }
        logger.critical("fault point reached: killing the process", metadata: ["fault_point": "\(action):\(moment.rawValue)"])
        kill(getpid(), SIGKILL)
    }
}
