import Foundation
import Postgres

/// The SQL behind document reads and writes, shared by plain calls and transactions. Each
/// write is one statement, so its precondition is checked atomically with it.
enum DocumentOperations {
    static func get(_ reference: DocumentReference, on connection: PostgresConnection, lock: Bool) async throws
        -> DocumentSnapshot?
    {
        var query = try select(reference.collection)
        query.append(" AND id = \(reference.id)")
        if lock { query.append(" FOR UPDATE") }
        return try await connection.query(query).first.map(DocumentSnapshot.init(row:))
    }

    static func select(_ collection: String) throws -> PostgresQuery {
        PostgresQuery(
            unsafeSQL: "SELECT \(DocumentSnapshot.columns) FROM documents WHERE collection = \(try FieldPath.collectionLiteral(collection))")
    }

    static func set(
        _ reference: DocumentReference, _ data: DocumentData, merge: Bool, precondition: Precondition?,
        on connection: PostgresConnection
    ) async throws -> WriteResult {
        let collection = try FieldPath.collectionLiteral(reference.collection)
        let json = PostgresJSONB(json: try DocumentJSON.encode(data))
        let newData = merge ? "document_merge(documents.data, EXCLUDED.data)" : "EXCLUDED.data"
        switch precondition {
        case nil:
            return try await written(
                reference,
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO documents (collection, id, data) VALUES (\(collection), $1, $2)
                        ON CONFLICT (collection, id) DO UPDATE SET data = \(newData), update_time = clock_timestamp()
                        RETURNING update_time
                        """, binds: binds(reference.id, json))),
                precondition: nil, on: connection)
        case .doesNotExist:
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO documents (collection, id, data) VALUES (\(collection), $1, $2)
                    ON CONFLICT (collection, id) DO NOTHING RETURNING update_time
                    """, binds: binds(reference.id, json)))
            guard let row = rows.first else { throw DocumentStoreError.alreadyExists(path: reference.path) }
            return WriteResult(updateTime: try row.decode("update_time"))
        case .exists, .updateTime:
            let mergedData = merge ? "document_merge(data, $2)" : "$2"
            var query = PostgresQuery(unsafeSQL: """
                UPDATE documents SET data = \(mergedData), update_time = clock_timestamp()
                WHERE collection = \(collection) AND id = $1
                """, binds: binds(reference.id, json))
            appendCondition(precondition, to: &query)
            query.append(" RETURNING update_time")
            return try await written(reference, try await connection.query(query), precondition: precondition, on: connection)
        }
    }

    static func update(
        _ reference: DocumentReference, _ fields: DocumentData, precondition: Precondition?, on connection: PostgresConnection
    ) async throws -> WriteResult {
        for field in fields.keys where !FieldPath.isIdentifier(field) {
            throw DocumentStoreError.invalidArgument("update takes top-level field names; '\(field)' is not one")
        }
        if precondition == .doesNotExist {
            throw DocumentStoreError.invalidArgument("update requires the document to exist")
        }
        let collection = try FieldPath.collectionLiteral(reference.collection)
        var query = PostgresQuery(unsafeSQL: """
            UPDATE documents SET data = data || $2, update_time = clock_timestamp()
            WHERE collection = \(collection) AND id = $1
            """, binds: binds(reference.id, PostgresJSONB(json: try DocumentJSON.encode(fields))))
        appendCondition(precondition, to: &query)
        query.append(" RETURNING update_time")
        return try await written(reference, try await connection.query(query), precondition: precondition ?? .exists, on: connection)
    }

    static func delete(_ reference: DocumentReference, precondition: Precondition?, on connection: PostgresConnection) async throws {
        if precondition == .doesNotExist {
            throw DocumentStoreError.invalidArgument("delete cannot require the document to be missing")
        }
        let collection = try FieldPath.collectionLiteral(reference.collection)
        var query = PostgresQuery(unsafeSQL: "DELETE FROM documents WHERE collection = \(collection) AND id = $1",
                                  binds: [PostgresBind(type: .text, text: reference.id)])
        appendCondition(precondition, to: &query)
        query.append(" RETURNING update_time")
        let rows = try await connection.query(query)
        if precondition != nil { _ = try await written(reference, rows, precondition: precondition, on: connection) }
    }

    private static func binds(_ id: String, _ json: PostgresJSONB) -> [PostgresBind] {
        [PostgresBind(type: .text, text: id), PostgresBind(type: .jsonb, text: json.json)]
    }

    private static func appendCondition(_ precondition: Precondition?, to query: inout PostgresQuery) {
        if case .updateTime(let time) = precondition { query.append(" AND update_time = \(time)") }
    }

    /// The write's result, or the error saying which precondition stopped it.
    private static func written(
        _ reference: DocumentReference, _ rows: PostgresRows, precondition: Precondition?, on connection: PostgresConnection
    ) async throws -> WriteResult {
        if let row = rows.first { return WriteResult(updateTime: try row.decode("update_time")) }
        if case .updateTime = precondition, try await get(reference, on: connection, lock: false) != nil {
            throw DocumentStoreError.failedPrecondition(path: reference.path)
        }
        throw DocumentStoreError.notFound(path: reference.path)
    }
}
