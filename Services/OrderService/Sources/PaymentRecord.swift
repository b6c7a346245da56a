import Contracts
import Postgres

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

    /// The insert, for a statement whose `lease` names the order; at most once per kind
    /// (partial unique indexes), so a repeated step writes nothing.
    var write: PostgresQuery {
        get throws {
            """
            INSERT INTO payments (order_id, amount, status, payment_method, transaction_id, gateway, gateway_response)
            SELECT lease.order_id, \(amount.amount), \(status), \(method), \(outcome.transactionID), \(gateway),
                   \(try PostgresJSONB(encoding: outcome.response))
            FROM lease ON CONFLICT DO NOTHING
            """
        }
    }
}
