import Foundation

/// An amount of money, exact, in cents: written as a string with two places (`"19.99"`);
/// read from a string or a JSON number with at most two decimal places.
public struct Money: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The amount in hundredths.
    public var cents: Int64

    public init(cents: Int64) {
        self.cents = cents
    }

    /// Converts a decimal amount, rounding half up to cents.
    public init(_ amount: Decimal) {
        var value = amount * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        self.cents = NSDecimalNumber(decimal: rounded).int64Value
    }

    /// Parses `"19.99"`, `"-3"`, `"0.5"` (spaces and tabs around it ignored); `nil` for anything
    /// else, including more than two decimals.
    /// Done by hand on the bytes: it runs for every price read from the database.
    public init?(string: String) {
        var bytes = string.utf8[...]
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = bytes.first, isBlank(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, isBlank(last) { bytes = bytes.dropLast() }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenDigit = false
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= 48, byte <= 57 {
                seenDigit = true
                if seenPoint {
                    fractionDigits += 1
                    // Trailing zeros past two places ("1.500" from NUMERIC(12,3)) are harmless.
                    if fractionDigits > 2 { guard byte == 48 else { return nil }; continue }
                    fraction = fraction * 10 + Int64(byte - 48)
                } else {
                    guard whole < 1_000_000_000_000_000 else { return nil }
                    whole = whole * 10 + Int64(byte - 48)
                }
            } else {
                return nil
            }
        }
        guard seenDigit else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        let cents = whole * 100 + fraction
        self.cents = negative ? -cents : cents
    }

    /// The amount as a decimal (for arithmetic and SQL binds).
    public var amount: Decimal { Decimal(cents) / 100 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else {
            text = "\(try container.decode(Decimal.self))"
        }
        guard let money = Money(string: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an amount with at most two decimals")
        }
        self = money
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Two decimal places, e.g. `"5.00"`.
    public var description: String {
        let absolute = cents.magnitude
        let fraction = absolute % 100
        return "\(cents < 0 ? "-" : "")\(absolute / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
}
