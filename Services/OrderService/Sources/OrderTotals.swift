import Contracts
import Foundation

/// An order's money, exactly as the contract defines it (integer cents, never floating point):
/// item `subtotal = unit_price × quantity`; item `tax_amount = round_half_up(subtotal × TAX_RATE, 2)`;
/// order `subtotal` and `tax_amount` are the sums; shipping `5.00` standard (`0.00` from a
/// `100.00` subtotal) or `15.00` express; no discount; `total = subtotal + tax + shipping − discount`.
struct OrderTotals: Sendable, Equatable {
    struct Line: Sendable, Equatable {
        let unitPrice: Money
        let quantity: Int
        let subtotal: Money
        let taxAmount: Money
        let discountAmount: Money
        /// `subtotal + tax_amount − discount_amount`.
        let finalPrice: Money
    }

    enum Shipping: String, Sendable, CaseIterable {
        case standard, express
    }

    let lines: [Line]
    let subtotal: Money
    let taxAmount: Money
    let shippingAmount: Money
    let discountAmount: Money
    let totalAmount: Money

    /// The largest amount the order tables hold (`NUMERIC(12, 2)`). Prices are at most
    /// 999,999.99 and an order at most 50 items of 100, so with `TAX_RATE` at most 1 no
    /// accepted order comes near it; a product priced higher before that bound existed can.
    static let largestAmount = Money(cents: 999_999_999_999)

    /// Whether every amount fits the order tables.
    var fitsTheOrderTables: Bool {
        totalAmount <= Self.largestAmount && lines.allSatisfy { $0.finalPrice <= Self.largestAmount }
    }

    /// `taxRate` as a decimal such as `0.08`.
    init(items: [(unitPrice: Money, quantity: Int)], taxRate: Decimal, shipping: Shipping) {
        lines = items.map { item in
            let subtotal = Money(cents: item.unitPrice.cents * Int64(item.quantity))
            let tax = Self.roundHalfUp(Decimal(subtotal.cents) * taxRate)
            return Line(
                unitPrice: item.unitPrice, quantity: item.quantity, subtotal: subtotal, taxAmount: Money(cents: tax),
                discountAmount: Money(cents: 0), finalPrice: Money(cents: subtotal.cents + tax))
        }
        subtotal = Money(cents: lines.reduce(0) { $0 + $1.subtotal.cents })
        taxAmount = Money(cents: lines.reduce(0) { $0 + $1.taxAmount.cents })
        switch shipping {
        case .standard: shippingAmount = Money(cents: subtotal.cents >= 10_000 ? 0 : 500)
        case .express: shippingAmount = Money(cents: 1_500)
        }
        discountAmount = Money(cents: 0)
        totalAmount = Money(cents: subtotal.cents + taxAmount.cents + shippingAmount.cents - discountAmount.cents)
    }

    /// Cents rounded half up (away from zero for the non-negative amounts here).
    static func roundHalfUp(_ cents: Decimal) -> Int64 {
        var value = cents
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}
