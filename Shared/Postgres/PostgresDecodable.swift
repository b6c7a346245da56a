import Foundation

/// A Swift type that can be read from a column's text value. Conformances keep
/// `acceptedTypes` in a stored constant: it is read for every value decoded.
public protocol PostgresDecodable: Sendable {
    /// The column types this Swift type may be read from; anything else is a decoding error.
    static var acceptedTypes: Set<PostgresDataType> { get }
    /// Parses the text form; `nil` when it does not parse.
    init?(postgresText: String, type: PostgresDataType)
}

extension String: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = PostgresDataType.textLike.union([.uuid, .json, .jsonb, .numeric])
    public init?(postgresText: String, type: PostgresDataType) { self = postgresText }
}

extension Int: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.int2, .int4, .int8, .oid]
    public init?(postgresText: String, type: PostgresDataType) { self.init(postgresText) }
}

extension Int32: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.int2, .int4]
    public init?(postgresText: String, type: PostgresDataType) { self.init(postgresText) }
}

extension Double: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.float4, .float8, .int2, .int4, .int8, .numeric]
    public init?(postgresText: String, type: PostgresDataType) { self.init(postgresText) }
}

extension Bool: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.bool]
    public init?(postgresText: String, type: PostgresDataType) {
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

extension Decimal: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.numeric, .int2, .int4, .int8]
    public init?(postgresText: String, type: PostgresDataType) {
        guard postgresText != "NaN", let value = Decimal(string: postgresText, locale: nil) else { return nil }
        self = value
    }
}

extension UUID: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.uuid]
    public init?(postgresText: String, type: PostgresDataType) { self.init(uuidString: postgresText) }
}

extension Date: PostgresDecodable {
    public static let acceptedTypes: Set<PostgresDataType> = [.timestamptz, .timestamp, .date]
    public init?(postgresText: String, type: PostgresDataType) {
        guard let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static var acceptedTypes: Set<PostgresDataType> { Element.acceptedArrayTypes }
    public init?(postgresText: String, type: PostgresDataType) {
        guard let items = PostgresArrayText.parse(postgresText) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            // Arrays of NULLs are not used here; a NULL element is a decoding failure.
            guard let item, let value = Element(postgresText: item, type: type) else { return nil }
            result.append(value)
        }
        self = result
    }
}
