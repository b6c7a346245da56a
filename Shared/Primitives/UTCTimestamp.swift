import Foundation

/// RFC 3339 timestamps in UTC, written without Calendar or String(format:), which cost
/// more than the rest of a response on hot paths.
public enum UTCTimestamp {
    /// `2026-11-21T23:22:01Z` with `fractionDigits` 0 (whole seconds, rounded down, as
    /// JSONEncoder's `.iso8601` writes them); `…01.123Z` with 3 and `…01.123456Z` with 6
    /// (rounded to that unit).
    public static func format(_ date: Date, fractionDigits: Int = 0) -> String {
        precondition(fractionDigits == 0 || fractionDigits == 3 || fractionDigits == 6, "0, 3 or 6 fraction digits")
        let unitsPerSecond: Int64 = fractionDigits == 6 ? 1_000_000 : fractionDigits == 3 ? 1_000 : 1
        let units =
            fractionDigits == 0
            ? Int64(date.timeIntervalSince1970.rounded(.down))
            : Int64((date.timeIntervalSince1970 * Double(unitsPerSecond)).rounded())
        let seconds = units >= 0 ? units / unitsPerSecond : (units - unitsPerSecond + 1) / unitsPerSecond
        let fraction = units - seconds * unitsPerSecond
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilDate.date(fromDays: Int(days))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        append(year, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, digits: 2, to: &bytes)
        if fractionDigits > 0 {
            bytes.append(UInt8(ascii: "."))
            append(Int(fraction), digits: fractionDigits, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` in decimal, zero-padded to at least `digits` (a negative year keeps its sign);
    /// written digit by digit, without an intermediate String.
    private static func append(_ value: Int, digits: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt = 1
        var width = 1
        while divisor <= magnitude / 10 {
            divisor *= 10
            width += 1
        }
        for _ in width..<max(width, digits) { bytes.append(UInt8(ascii: "0")) }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }
}
