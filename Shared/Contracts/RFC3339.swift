import Foundation
import Primitives

/// RFC 3339 date-times (`2026-12-05T10:00:00Z`, `…T10:00:00.123+01:00`, `t` and `z` in lower
/// case, second 60 at 23:59 UTC for a leap second), read by hand in the proleptic Gregorian
/// calendar: exactly the strings the OpenAPI documents' `format: date-time` admits.
/// Foundation's `ISO8601DateFormatter` refuses some of those (fractions unless asked, a lower-case
/// `t`) and reads dates before 1583 in the Julian calendar, which PostgreSQL does not.
public enum RFC3339 {
    /// The instant `text` names, or nil when it is not an RFC 3339 date-time.
    public static func date(from text: String) -> Date? {
        var scanner = Digits(Array(text.utf8)[...])
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
            let day = scanner.number(2), scanner.skip(anyOf: "Tt"), let hour = scanner.number(2), scanner.skip(":"),
            let minute = scanner.number(2), scanner.skip(":"), let second = scanner.number(2)
        else { return nil }
        var fraction = 0.0
        if scanner.skip(".") {
            guard let digits = scanner.fraction() else { return nil }
            fraction = digits
        }
        var offset = 0
        if !scanner.skip(anyOf: "Zz") {
            guard let sign = scanner.sign(), let hours = scanner.number(2), scanner.skip(":"), let minutes = scanner.number(2),
                hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd, (1...12).contains(month), (1...daysIn(month, of: year)).contains(day), hour < 24, minute < 60,
            second < 60 || second == 60 && (hour * 60 + minute - offset / 60 + 1440) % 1440 == 23 * 60 + 59
        else { return nil }
        let seconds = CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Digits {
        var bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        var isAtEnd: Bool { bytes.isEmpty }

        mutating func number(_ count: Int) -> Int? {
            guard bytes.count >= count else { return nil }
            var value = 0
            for byte in bytes.prefix(count) {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            bytes = bytes.dropFirst(count)
            return value
        }

        /// One or more digits after the decimal point, as a fraction of a second.
        mutating func fraction() -> Double? {
            let digits = bytes.prefix { (48...57).contains($0) }
            guard !digits.isEmpty else { return nil }
            bytes = bytes.dropFirst(digits.count)
            return Double("0." + String(decoding: digits.prefix(9), as: UTF8.self)) ?? 0
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool { skip(anyOf: String(character)) }

        mutating func skip(anyOf characters: String) -> Bool {
            guard let first = bytes.first, characters.utf8.contains(first) else { return false }
            bytes = bytes.dropFirst()
            return true
        }

        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            return skip("-") ? -1 : nil
        }
    }
}
