/// The rows a statement returned, copied out of libpq so they outlive the connection.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// A result column: its name and type.
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: PostgresDataType
    }

    /// The result's columns in order.
    public let columns: [Column]
    /// Rows affected by an INSERT, UPDATE, DELETE or COPY (0 for others).
    public let affectedRows: Int
    let values: [[String?]]
    let columnIndex: [String: Int]

    init(columns: [Column], values: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
        var index: [String: Int] = [:]
        for (position, column) in columns.enumerated() where index[column.name] == nil {
            index[column.name] = position
        }
        self.columnIndex = index
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }
}

/// One result row. Values are read by column name (or position) into a Swift type.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    /// Reads a non-NULL value; a NULL, a column of another type or unparseable text is an error naming the column.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decode(column, as: T?.self) else {
            throw PostgresDecodingError(
                column: column, wanted: "\(T.self)", found: try position(of: column, wanted: T.self).1,
                reason: "unexpected NULL")
        }
        return value
    }

    /// Reads a value that may be NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type) throws -> T? {
        let (position, columnType) = try position(of: column, wanted: T.self)
        guard T.acceptedTypes.contains(columnType) else {
            throw PostgresDecodingError(column: column, wanted: "\(T.self)", found: columnType, reason: "type mismatch")
        }
        guard let text = rows.values[index][position] else { return nil }
        guard let value = T(postgresText: text, type: columnType) else {
            throw PostgresDecodingError(
                column: column, wanted: "\(T.self)", found: columnType, reason: "value does not parse")
        }
        return value
    }

    /// Whether the column's value is NULL.
    public func isNull(_ column: String) -> Bool {
        guard let position = rows.columnIndex[column] else { return true }
        return rows.values[index][position] == nil
    }

    private func position<T>(of column: String, wanted: T.Type) throws -> (Int, PostgresDataType) {
        guard let position = rows.columnIndex[column] else {
            throw PostgresDecodingError(column: column, wanted: "\(T.self)", found: .unknown, reason: "no such column")
        }
        return (position, rows.columns[position].type)
    }
}
