import Contracts
import Foundation

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

    /// What a name may start or end with and is stored without: space, tab, CR and LF. The
    /// documents say the same (`pattern: [^ \t\n\r]`), so they are exactly these four.
    public static let blanks = CharacterSet(charactersIn: " \t\n\r")

    /// `value` without leading and trailing ``blanks``.
    public static func trimmed(_ value: String) -> String { value.trimmingCharacters(in: blanks) }

    /// Checks a present name as sent: its length in `range` and, unless it may be empty,
    /// something besides ``blanks`` (the documents' `minLength`, `maxLength` and `pattern`).
    /// Store it ``trimmed(_:)``.
    public mutating func check(name value: String?, _ field: String, length range: ClosedRange<Int>, _ message: String) {
        check(value.map { range.contains(Self.length($0)) && (range.lowerBound == 0 || !Self.trimmed($0).isEmpty) } ?? true,
              field, message)
    }

    public func throwIfAny() throws {
        if !fields.isEmpty { throw APIError.validation(fields) }
    }

    /// A plausible address, checked as sent: at most 254 characters; ``blanks`` around it, then
    /// no whitespace, one `@` with something before it and a domain after it holding a dot,
    /// neither first nor last (the documents' `pattern` for `email`, character for character).
    public static func isEmail(_ value: String) -> Bool {
        let scalars = Array(trimmed(value).unicodeScalars)
        guard length(value) <= 254, !scalars.contains(where: \.properties.isWhitespace),
            let at = scalars.firstIndex(of: "@"), at > 0
        else { return false }
        let domain = scalars[(at + 1)...]
        return !domain.contains("@") && domain.contains(".") && domain.first != "." && domain.last != "."
    }

    /// An IANA-style zone name such as `Europe/Paris` or `UTC`: 1 to 64 ASCII letters, digits and `/_+-`.
    public static func isTimezone(_ value: String) -> Bool {
        (1...64).contains(length(value))
            && value.unicodeScalars.allSatisfy { isASCIILetter($0) || ("0"..."9").contains($0) || "/_+-".unicodeScalars.contains($0) }
    }

    /// A language tag such as `en` or `pt-BR`: 2 to 35 ASCII letters and dashes.
    public static func isLanguage(_ value: String) -> Bool {
        (2...35).contains(length(value)) && value.unicodeScalars.allSatisfy { isASCIILetter($0) || $0 == "-" }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
}
