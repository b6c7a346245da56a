import Contracts

/// Collects field errors and throws one `validation_failed` with all of them.
public struct FieldErrors {
    public private(set) var fields: [String: String] = [:]

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition, fields[field] == nil { fields[field] = message }
    }

    /// Checks that a present value's length is in `range`. Lengths count Unicode code points,
    /// as PostgreSQL's `VARCHAR(n)` does, never grapheme clusters (one "character" of a
    /// letter and 100,000 combining marks is 100,001 long), so a value of `n` is at most
    /// `4 × n` bytes of UTF-8.
    public mutating func check(_ value: String?, _ field: String, length range: ClosedRange<Int>, _ message: String) {
        check(value.map { range.contains(Self.length($0)) } ?? true, field, message)
    }

    /// A text's length as every limit here counts it: Unicode code points.
    public static func length(_ value: String) -> Int { value.unicodeScalars.count }

    public func throwIfAny() throws {
        if !fields.isEmpty { throw APIError.validation(fields) }
    }

    /// A plausible address: one `@`, something before it, a dot after it, no spaces, at most 254 characters.
    public static func isEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return length(value) <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !value.contains(where: \.isWhitespace)
    }

    /// An IANA-style zone name such as `Europe/Paris` or `UTC`.
    public static func isTimezone(_ value: String) -> Bool {
        (1...64).contains(length(value)) && value.allSatisfy { $0.isLetter || $0.isNumber || "/_+-".contains($0) }
    }

    /// A language tag such as `en` or `pt-BR`.
    public static func isLanguage(_ value: String) -> Bool {
        (2...35).contains(length(value)) && value.allSatisfy { $0.isLetter || $0 == "-" }
    }
}
