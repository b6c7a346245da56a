import Contracts
import ServiceKit

/// The Order service's own errors as the contract's: the one place they become HTTP.
extension APIError {
    /// 409 `request_in_progress`: the order's saga is still running (or was taken over by recovery).
    static func requestInProgress(order: Int?) -> APIError {
        APIError(
            .requestInProgress, "the order is still being processed",
            details: order.map { ["order_id": .number(Double($0))] })
    }
}

extension OrderStatus.InvalidTransition: APIErrorConvertible {
    /// 409 `invalid_transition`.
    var apiError: APIError {
        APIError(
            .invalidTransition,
            to == .cancelled
                ? "an order that is \(from.rawValue) cannot be cancelled" : "an order that is \(from.rawValue) cannot become \(to.rawValue)")
    }
}
