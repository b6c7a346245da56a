import Postgres

/// The handle a transaction body reads and writes through (see ``DocumentStore/runTransaction(maxAttempts:_:)``).
public final class DocumentTransaction {
    let connection: PostgresConnection
    private var hasWritten = false

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Reads and locks a document until the transaction ends.
    public func get(_ reference: DocumentReference) async throws -> DocumentSnapshot? {
        guard !hasWritten else { throw DocumentStoreError.readAfterWrite }
        return try await DocumentOperations.get(reference, on: connection, lock: true)
    }

    /// Runs a query and locks the documents it returns.
    public func getDocuments(_ query: Query) async throws -> [DocumentSnapshot] {
        guard !hasWritten else { throw DocumentStoreError.readAfterWrite }
        var statement = try query.statement()
        statement.append(" FOR UPDATE")
        return try await connection.query(statement).map(DocumentSnapshot.init(row:))
    }

    @discardableResult
    public func set(
        _ reference: DocumentReference, _ data: DocumentData, merge: Bool = false, precondition: Precondition? = nil
    ) async throws -> WriteResult {
        hasWritten = true
        return try await DocumentOperations.set(reference, data, merge: merge, precondition: precondition, on: connection)
    }

    @discardableResult
    public func create(_ reference: DocumentReference, _ data: DocumentData) async throws -> WriteResult {
        try await set(reference, data, precondition: .doesNotExist)
    }

    @discardableResult
    public func update(_ reference: DocumentReference, _ fields: DocumentData, precondition: Precondition? = nil) async throws
        -> WriteResult
    {
        hasWritten = true
        return try await DocumentOperations.update(reference, fields, precondition: precondition, on: connection)
    }

    public func delete(_ reference: DocumentReference, precondition: Precondition? = nil) async throws {
        hasWritten = true
        try await DocumentOperations.delete(reference, precondition: precondition, on: connection)
    }
}
