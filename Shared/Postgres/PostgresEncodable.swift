import Foundation

/// A Swift value that can be sent as a bind parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The type the server reads the parameter as.
    static var postgresType: PostgresDataType { get }
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public static var postgresType: PostgresDataType { .text }
    public var postgresText: String { self }
}

extension Int: PostgresEncodable {
    public static var postgresType: PostgresDataType { .int8 }
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public static var postgresType: PostgresDataType { .int4 }
    public var postgresText: String { String(self) }
}

extension Double: PostgresEncodable {
    public static var postgresType: PostgresDataType { .float8 }
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
}

extension Bool: PostgresEncodable {
    public static var postgresType: PostgresDataType { .bool }
    public var postgresText: String { self ? "t" : "f" }
}

extension Decimal: PostgresEncodable {
    public static var postgresType: PostgresDataType { .numeric }
    // Decimal's description is locale-independent ("12.34"), which is NUMERIC's input format.
    public var postgresText: String { description }
}

extension UUID: PostgresEncodable {
    public static var postgresType: PostgresDataType { .uuid }
    public var postgresText: String { uuidString.lowercased() }
}

extension Date: PostgresEncodable {
    public static var postgresType: PostgresDataType { .timestamptz }
    public var postgresText: String { PostgresTimestamp.format(self) }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresDataType { Element.arrayType }
    public var postgresText: String { PostgresArrayText.format(map(\.postgresText)) }
}

/// A value that can be an element of a one-dimensional PostgreSQL array.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    /// The array type whose elements are of this type.
    static var arrayType: PostgresDataType { get }
    /// The array types whose elements decode as this type.
    static var acceptedArrayTypes: Set<PostgresDataType> { get }
}

extension String: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .textArray }
    public static let acceptedArrayTypes: Set<PostgresDataType> = [.textArray, .varcharArray]
}

extension Int: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .int8Array }
    public static let acceptedArrayTypes: Set<PostgresDataType> = [.int8Array, .int4Array]
}

/// A JSON document stored in a `jsonb` column, kept as its JSON text.
public struct PostgresJSONB: PostgresEncodable, PostgresDecodable, Equatable {
    /// The document's JSON text.
    public var json: String

    /// Wraps JSON text as it is.
    public init(json: String) {
        self.json = json
    }

    /// Encodes a value as JSON.
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        self.json = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document as a Swift type.
    public func decode<T: Decodable>(as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(T.self, from: Data(json.utf8))
    }

    public static var postgresType: PostgresDataType { .jsonb }
    public var postgresText: String { json }
    public static let acceptedTypes: Set<PostgresDataType> = [.jsonb, .json]
    public init?(postgresText: String, type: PostgresDataType) { self.json = postgresText }
}
