/// A statement with its bind values, built by string interpolation: every interpolated
/// value becomes a `$n` placeholder and a bind, so a value can never be pasted into SQL.
///
///     let query: PostgresQuery = "SELECT name FROM products WHERE id = \(id) AND status = \(status)"
///
/// Identifiers and other SQL fragments that are not values must be known at compile time:
/// `\(literal: "ORDER BY price DESC")` accepts only a `StaticString`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    /// The SQL text with `$1`, `$2`, … placeholders.
    public private(set) var sql: String
    /// The bind values in placeholder order; `nil` is SQL NULL.
    public private(set) var binds: [PostgresBind]

    /// A statement without values.
    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// Creates a statement from SQL text and binds numbered in the same order.
    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    /// Appends another query, renumbering its placeholders after this one's.
    public mutating func append(_ other: PostgresQuery) {
        let offset = binds.count
        sql += offset == 0 ? other.sql : Self.renumber(other.sql, by: offset)
        binds += other.binds
    }

    /// Builds the interpolated SQL and binds.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A value, sent as a bind parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(PostgresBind(type: Value.postgresType, text: value.postgresText))
            sql += "$\(binds.count)"
        }

        /// An optional value; `nil` becomes SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(PostgresBind(type: Value.postgresType, text: value?.postgresText))
            sql += "$\(binds.count)"
        }

        /// A fragment of SQL fixed at compile time (a column name, a sort direction).
        public mutating func appendInterpolation(literal: StaticString) {
            sql += literal.description
        }
    }

    /// Shifts every `$n` outside quotes by `offset` (on UTF-8 bytes: `$`, `'` and digits are ASCII).
    private static func renumber(_ sql: String, by offset: Int) -> String {
        let bytes = Array(sql.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        var index = 0
        var inQuote = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "'") { inQuote.toggle() }
            if byte == UInt8(ascii: "$"), !inQuote {
                var end = index + 1
                var number = 0
                while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
                    number = number * 10 + Int(bytes[end] - UInt8(ascii: "0"))
                    end += 1
                }
                if end > index + 1 {
                    result.append(UInt8(ascii: "$"))
                    result.append(contentsOf: String(number + offset).utf8)
                    index = end
                    continue
                }
            }
            result.append(byte)
            index += 1
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// One bind value in text form, with the type the server should read it as.
public struct PostgresBind: Sendable, Equatable {
    /// The parameter's type.
    public var type: PostgresDataType
    /// The value in PostgreSQL's text format; `nil` is NULL.
    public var text: String?

    /// Creates a bind.
    public init(type: PostgresDataType, text: String?) {
        self.type = type
        self.text = text
    }
}
