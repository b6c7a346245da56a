import Foundation

/// An amount of money: exact decimal, written as a string with two places (`"19.99"`).
/// Read from a string or a JSON number with at most two decimal places.
public struct Money: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var amount: Decimal

    public init(_ amount: Decimal) {
        self.amount = amount
    }

    /// Parses `"19.99"`; `nil` for anything else, including more than two decimal places.
    public init?(string: String) {
        let trimmed = string.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }),
            let value = Decimal(string: trimmed, locale: nil), Money.hasAtMostTwoPlaces(value)
        else { return nil }
        self.amount = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let money = Money(string: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an amount with at most two decimals")
            }
            self = money
        } else {
            let value = try container.decode(Decimal.self)
            guard Money.hasAtMostTwoPlaces(value) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "more than two decimal places")
            }
            self.amount = value
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Two decimal places, e.g. `"5.00"`.
    public var description: String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        let cents = NSDecimalNumber(decimal: rounded * 100).int64Value
        let sign = cents < 0 ? "-" : ""
        let absolute = abs(cents)
        return "\(sign)\(absolute / 100).\(String(format: "%02d", absolute % 100))"
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.amount < rhs.amount }

    static func hasAtMostTwoPlaces(_ value: Decimal) -> Bool {
        var scaled = value * 100
        var whole = Decimal()
        NSDecimalRound(&whole, &scaled, 0, .plain)
        return whole == scaled
    }
}
