import Postgres

/// A query over one collection: filters, order, limit and a start-after cursor, all run in
/// SQL. Documents lacking a filtered or ordered field are left out, as in Firestore; range
/// filters only match values of the same type as the one given. The document id breaks ties
/// in the order, in the direction of the last ordered field.
public struct Query: Sendable {
    /// A filter's comparison.
    public enum Operator: Sendable {
        case equal, notEqual, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual
        /// The field equals one of the values in the given array.
        case `in`
        /// The field is an array holding the given value.
        case arrayContains
    }

    struct Filter: Sendable {
        let field: FieldPath
        let op: Operator
        let value: DocumentValue
    }

    struct Order: Sendable {
        let field: FieldPath
        let descending: Bool
    }

    let collection: CollectionReference
    private(set) var filters: [Filter] = []
    private(set) var orders: [Order] = []
    private(set) var limitCount: Int?
    private(set) var cursor: DocumentSnapshot?
    private var invalid: String?

    init(collection: CollectionReference) {
        self.collection = collection
    }

    public func whereField(_ field: String, _ op: Operator, _ value: DocumentValue) -> Query {
        var query = self
        do {
            query.filters.append(Filter(field: try FieldPath(field), op: op, value: value))
            if op == .in, value.arrayValue == nil { query.invalid = "an 'in' filter takes an array" }
        } catch {
            query.invalid = "\(error)"
        }
        return query
    }

    public func order(by field: String, descending: Bool = false) -> Query {
        var query = self
        do {
            query.orders.append(Order(field: try FieldPath(field), descending: descending))
        } catch {
            query.invalid = "\(error)"
        }
        return query
    }

    public func limit(_ count: Int) -> Query {
        var query = self
        query.limitCount = max(0, count)
        return query
    }

    /// Continues after this document (which an earlier page of the same query returned).
    public func start(after snapshot: DocumentSnapshot) -> Query {
        var query = self
        query.cursor = snapshot
        return query
    }

    public func getDocuments() async throws -> [DocumentSnapshot] {
        try await collection.store.pool.query(try statement()).map(DocumentSnapshot.init(row:))
    }

    /// The SQL this query runs (public for `EXPLAIN` in tests and tooling).
    public func statement() throws -> PostgresQuery {
        if let invalid { throw DocumentStoreError.invalidArgument(invalid) }
        var query = try DocumentOperations.select(collection.name)
        for filter in filters { query.append(try condition(filter)) }
        for order in orders { query.append(PostgresQuery(unsafeSQL: " AND \(order.field.sqlExpression) IS NOT NULL")) }
        if let cursor { query.append(try cursorCondition(after: cursor)) }
        let idDescending = orders.last?.descending ?? false
        let sortKeys = orders.map { "\($0.field.sqlExpression)\($0.descending ? " DESC" : "")" } + ["id\(idDescending ? " DESC" : "")"]
        query.append(PostgresQuery(unsafeSQL: " ORDER BY " + sortKeys.joined(separator: ", ")))
        if let limitCount { query.append(" LIMIT \(limitCount)") }
        return query
    }

    private func condition(_ filter: Filter) throws -> PostgresQuery {
        let expression = filter.field.sqlExpression
        switch filter.op {
        case .equal:
            return try PostgresQuery(unsafeSQL: " AND \(expression) = $1", binds: [Self.bind(filter.value)])
        case .notEqual:
            return try PostgresQuery(unsafeSQL: " AND \(expression) <> $1", binds: [Self.bind(filter.value)])
        case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
            let symbol = [Operator.lessThan: "<", .lessThanOrEqual: "<=", .greaterThan: ">", .greaterThanOrEqual: ">="][filter.op]!
            return try PostgresQuery(
                unsafeSQL: " AND jsonb_typeof(\(expression)) = $1 AND \(expression) \(symbol) $2",
                binds: [PostgresBind(type: .text, text: Self.jsonType(of: filter.value)), Self.bind(filter.value)])
        case .in:
            let values = try (filter.value.arrayValue ?? []).map { try DocumentJSON.encode($0) }
            return PostgresQuery(
                unsafeSQL: " AND \(expression) = ANY($1)",
                binds: [PostgresBind(type: .jsonbArray, text: PostgresArrayText.format(values))])
        case .arrayContains:
            return try PostgresQuery(
                unsafeSQL: " AND \(expression) @> $1", binds: [Self.bind(.array([filter.value]))])
        }
    }

    /// Rows strictly after the cursor in this query's order: (a > x) OR (a = x AND b > y) OR … OR (all equal AND id > cursor id).
    private func cursorCondition(after cursor: DocumentSnapshot) throws -> PostgresQuery {
        var alternatives: [PostgresQuery] = []
        var equalities: [PostgresQuery] = []
        for order in orders {
            guard let value = cursor.data[order.field.segments[0]].flatMap({ Self.value(at: order.field, in: $0) }) else {
                throw DocumentStoreError.invalidArgument("the cursor document has no '\(order.field.segments.joined(separator: "."))'")
            }
            let expression = order.field.sqlExpression
            var alternative = PostgresQuery(unsafeSQL: "(TRUE")
            for equality in equalities { alternative.append(equality) }
            alternative.append(try PostgresQuery(unsafeSQL: " AND \(expression) \(order.descending ? "<" : ">") $1)", binds: [Self.bind(value)]))
            alternatives.append(alternative)
            equalities.append(try PostgresQuery(unsafeSQL: " AND \(expression) = $1", binds: [Self.bind(value)]))
        }
        var last = PostgresQuery(unsafeSQL: "(TRUE")
        for equality in equalities { last.append(equality) }
        last.append(" AND id \(literal: (orders.last?.descending ?? false) ? "<" : ">") \(cursor.id))")
        alternatives.append(last)
        var condition = PostgresQuery(unsafeSQL: " AND (")
        for (index, alternative) in alternatives.enumerated() {
            if index > 0 { condition.append(" OR ") }
            condition.append(alternative)
        }
        condition.append(")")
        return condition
    }

    private static func value(at path: FieldPath, in top: DocumentValue) -> DocumentValue? {
        var current = top
        for segment in path.segments.dropFirst() {
            guard let next = current.mapValue?[segment] else { return nil }
            current = next
        }
        return current
    }

    static func bind(_ value: DocumentValue) throws -> PostgresBind {
        PostgresBind(type: .jsonb, text: try DocumentJSON.encode(value))
    }

    /// What `jsonb_typeof` says for a value of this kind.
    static func jsonType(of value: DocumentValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .double: "number"
        case .string: "string"
        case .array: "array"
        case .timestamp, .map: "object"
        }
    }
}
