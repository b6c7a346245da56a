import Foundation
import Primitives

/// Conversion between `Date` and PostgreSQL's ISO timestamp text, to the microsecond
/// (the server's precision). Written out by hand: DateFormatter is slow and locale-bound.
enum PostgresTimestamp {
    /// `2024-05-01 12:30:05.123456+00`, always UTC.
    static func format(_ date: Date) -> String {
        let micros = Int((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = CivilDate.floorDivide(micros, 1_000_000)
        let fraction = micros - seconds * 1_000_000
        let days = CivilDate.floorDivide(seconds, 86_400)
        seconds -= days * 86_400
        let (year, month, day) = CivilDate.date(fromDays: days)
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
        text += "\(pad(seconds / 3600, 2)):\(pad(seconds % 3600 / 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 { text += ".\(pad(fraction, 6))" }
        return text + "+00"
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]][±HH[:MM[:SS]]]`; `T` is accepted for the space.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value: Int = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = CivilDate.days(year: year, month: month, day: day) * 86_400
        var micros: Int = 0
        if index < bytes.count, bytes[index] == 32 || bytes[index] == 84 {
            index += 1
            guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2)
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if expect(46) {
                var digits = 0
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    if digits < 6 { micros = micros * 10 + Int(bytes[index] - 48) }
                    digits += 1
                    index += 1
                }
                if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            }
            if index < bytes.count {
                let sign: Int
                switch bytes[index] {
                case 43: sign = 1
                case 45: sign = -1
                case 90: index += 1; sign = 0
                default: return nil
                }
                if sign != 0 {
                    index += 1
                    guard let offsetHours = number(2) else { return nil }
                    var offset = offsetHours * 3600
                    if expect(58), let offsetMinutes = number(2) { offset += offsetMinutes * 60 }
                    if expect(58), let offsetSeconds = number(2) { offset += offsetSeconds }
                    seconds -= sign * offset
                }
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds * 1_000_000 + micros) / 1_000_000)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
