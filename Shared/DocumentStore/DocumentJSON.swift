import Contracts
import Foundation
import Primitives

/// How documents are written into JSONB and read back without losing a type.
///
/// Integers are written without a fraction and doubles always with one (PostgreSQL's numeric
/// keeps the scale), so the two stay apart; timestamps are `{"$timestamp": "…Z"}` with fixed-
/// width microseconds, which JSONB orders chronologically. Hand-written because
/// `JSONSerialization` cannot tell `1` from `1.0`.
enum DocumentJSON {
    static let timestampKey = "$timestamp"

    static func encode(_ data: DocumentData) throws -> String {
        var output = ""
        try write(.map(data), to: &output)
        return output
    }

    static func encode(_ value: DocumentValue) throws -> String {
        var output = ""
        try write(value, to: &output)
        return output
    }

    private static func write(_ value: DocumentValue, to output: inout String) throws {
        switch value {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .double(let value):
            guard value.isFinite else { throw DocumentStoreError.invalidData("NaN and infinity cannot be stored") }
            output += formatDouble(value)
        case .string(let value): JSONText.appendString(value, to: &output)
        case .timestamp(let date):
            output += "{\"\(timestampKey)\":"
            JSONText.appendString(UTCTimestamp.format(date, fractionDigits: 6), to: &output)
            output += "}"
        case .array(let values):
            output += "["
            for (index, element) in values.enumerated() {
                if index > 0 { output += "," }
                try write(element, to: &output)
            }
            output += "]"
        case .map(let fields):
            output += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if key == timestampKey { throw DocumentStoreError.invalidData("the field name \(timestampKey) is reserved") }
                if index > 0 { output += "," }
                JSONText.appendString(key, to: &output)
                output += ":"
                try write(fields[key]!, to: &output)
            }
            output += "}"
        }
    }

    /// Always with a fraction or a negative exponent, never `1e+20` (which numeric would print as an integer).
    static func formatDouble(_ value: Double) -> String {
        let text = "\(value)"
        if text.contains("e+") { return String(format: "%.1f", value) }
        if text.contains(".") || text.contains("e") { return text }
        return text + ".0"
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 27, bytes[26] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), let micros = number(20..<26)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let base = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        else { return nil }
        let total = Int64(base.timeIntervalSince1970.rounded()) * 1_000_000 + Int64(micros)
        return Date(timeIntervalSince1970: Double(total) / 1_000_000)
    }

    // MARK: Reading

    static func decodeDocument(_ text: String) throws -> DocumentData {
        guard case .map(let fields) = try decode(text) else {
            throw DocumentStoreError.invalidData("a stored document is not a JSON object")
        }
        return fields
    }

    static func decode(_ text: String) throws -> DocumentValue {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw DocumentStoreError.invalidData("trailing characters in JSON") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [32, 9, 10, 13].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> DocumentValue {
            skipSpace()
            guard index < bytes.count else { throw DocumentStoreError.invalidData("unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw DocumentStoreError.invalidData("invalid JSON literal")
            }
            index += expected.count
        }

        mutating func number() throws -> DocumentValue {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int64(text) {
                return .integer(integer)
            }
            guard let double = Double(text) else { throw DocumentStoreError.invalidData("invalid JSON number") }
            return .double(double)
        }

        mutating func string() throws -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var chunkStart = index
            func flush(_ end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[chunkStart..<end], as: UTF8.self).unicodeScalars)
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    flush(index)
                    index += 1
                    return String(scalars)
                }
                if byte == UInt8(ascii: "\\") {
                    flush(index)
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw DocumentStoreError.invalidData("invalid \\u escape") }
                        scalars.append(scalar)
                    default: scalars.append(Unicode.Scalar(escape))
                    }
                    chunkStart = index
                    continue
                }
                index += 1
            }
            throw DocumentStoreError.invalidData("unterminated JSON string")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw DocumentStoreError.invalidData("invalid \\u escape") }
            index += 4
            return code
        }

        mutating func array() throws -> DocumentValue {
            index += 1
            var values: [DocumentValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                values.append(try value())
                skipSpace()
                guard index < bytes.count else { throw DocumentStoreError.invalidData("unterminated JSON array") }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                }
                guard bytes[index] == UInt8(ascii: ",") else { throw DocumentStoreError.invalidData("expected , in JSON array") }
                index += 1
            }
        }

        mutating func object() throws -> DocumentValue {
            index += 1
            var fields: [String: DocumentValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .map(fields)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw DocumentStoreError.invalidData("expected a key in JSON object")
                }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw DocumentStoreError.invalidData("expected :") }
                index += 1
                fields[key] = try value()
                skipSpace()
                guard index < bytes.count else { throw DocumentStoreError.invalidData("unterminated JSON object") }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                guard bytes[index] == UInt8(ascii: ",") else { throw DocumentStoreError.invalidData("expected , in JSON object") }
                index += 1
            }
            if fields.count == 1, case .string(let text)? = fields[DocumentJSON.timestampKey],
                let date = DocumentJSON.parseTimestamp(text)
            {
                return .timestamp(date)
            }
            return .map(fields)
        }
    }
}
