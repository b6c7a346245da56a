import Contracts

/// A `payments` row to write: a charge (`succeeded` or `failed`) or a refund (`refunded`).
struct PaymentRecord: Sendable {
    var amount: Money
    var status: String
    var method: String
    var outcome: PaymentOutcome
    var gateway: String

    /// `orders.payment_status` after it.
    var orderPaymentStatus: String {
        switch status {
        case "succeeded": "paid"
        case "refunded": "refunded"
        default: "failed"
        }
    }
}
