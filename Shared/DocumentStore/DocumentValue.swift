import Foundation

/// A value in a document, with Firestore's types: null, boolean, 64-bit integer, double,
/// string, timestamp, array and map. Integers and doubles stay distinct through storage.
public enum DocumentValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case timestamp(Date)
    case array([DocumentValue])
    case map([String: DocumentValue])

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as a number, whether stored as an integer or a double.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var timestampValue: Date? {
        if case .timestamp(let value) = self { return value }
        return nil
    }

    public var arrayValue: [DocumentValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var mapValue: [String: DocumentValue]? {
        if case .map(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension DocumentValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: DocumentValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, DocumentValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension DocumentValue {
    /// `.string`, or `.null` for `nil`.
    public static func optional(_ value: String?) -> DocumentValue { value.map(DocumentValue.string) ?? .null }
    /// `.timestamp`, or `.null` for `nil`.
    public static func optional(_ value: Date?) -> DocumentValue { value.map(DocumentValue.timestamp) ?? .null }
}

/// A document's fields.
public typealias DocumentData = [String: DocumentValue]
