import Contracts

/// A payment processor. Both calls are idempotent by `key`, the way Stripe's idempotency keys
/// work: a charge or refund repeated with its key (after a crash, by the recovery worker)
/// returns the first outcome and never moves money twice.
protocol PaymentProvider: Sendable {
    /// Name stored in `payments.gateway`.
    var name: String { get }

    /// Charges `amount`. A decline is an outcome, not an error; an error means the outcome is unknown.
    func charge(_ charge: PaymentCharge) async throws -> PaymentOutcome

    /// Refunds what a charge took; refunding a charge that never succeeded refunds nothing.
    func refund(chargeKey: String, amount: Money, key: String) async throws -> PaymentOutcome
}

struct PaymentCharge: Sendable {
    var key: String
    var amount: Money
    var currency: String
    var method: String
    var token: String
}

struct PaymentOutcome: Sendable, Equatable {
    var approved: Bool
    var transactionID: String
    /// What the processor answered, stored as `payments.gateway_response`.
    var response: [String: JSONValue]
}
