import Contracts
import Crypto
import Foundation
import Primitives

/// The built-in processor: a local simulator with Stripe-style test tokens. `tok_chargeDeclined`
/// is declined, any other `tok_…` is approved, anything else is declined as an invalid token.
/// Transaction ids are derived from the idempotency key, so a repeated call returns the same
/// outcome with no state of its own.
struct PaymentSimulator: PaymentProvider {
    let name = "simulator"

    func charge(_ charge: PaymentCharge) async throws -> PaymentOutcome {
        let id = "ch_sim_" + Self.digest(charge.key)
        let declineCode: String? =
            if charge.token == "tok_chargeDeclined" { "card_declined" }
            else if !charge.token.hasPrefix("tok_") || charge.token.count <= 4 { "invalid_token" }
            else { nil }
        var response: [String: JSONValue] = [
            "id": .string(id), "object": .string("charge"), "amount": .number(Double(charge.amount.cents)),
            "currency": .string(charge.currency.lowercased()), "status": .string(declineCode == nil ? "succeeded" : "failed"),
        ]
        if let declineCode { response["decline_code"] = .string(declineCode) }
        return PaymentOutcome(approved: declineCode == nil, transactionID: id, response: response)
    }

    func refund(chargeKey: String, amount: Money, key: String) async throws -> PaymentOutcome {
        let id = "re_sim_" + Self.digest(key)
        return PaymentOutcome(
            approved: true, transactionID: id,
            response: [
                "id": .string(id), "object": .string("refund"), "charge": .string("ch_sim_" + Self.digest(chargeKey)),
                "amount": .number(Double(amount.cents)), "status": .string("succeeded"),
            ])
    }

    private static func digest(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).prefix(12).hexEncoded
    }
}
