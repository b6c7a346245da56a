import Foundation
import Logging
import Postgres

/// A document database with Firestore's semantics, kept in one PostgreSQL table
/// (`documents`: collection, id, JSONB data, create and update times) the way FerretDB and
/// Marten do it. Every filter and sort runs in SQL; a collection is never loaded to be
/// filtered in Swift.
public struct DocumentStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// A collection by name (letters, digits and `_`).
    public func collection(_ name: String) -> CollectionReference {
        CollectionReference(store: self, name: name)
    }

    /// Runs `body` as a transaction: its reads lock the documents they return (as Firestore's
    /// server client libraries do), so concurrent transactions on a document wait for each
    /// other instead of failing; its writes apply together or not at all. Reads must come
    /// before writes. A deadlock or serialization failure runs `body` again, up to
    /// `maxAttempts` times, so `body` must be safe to repeat.
    public func runTransaction<Result: Sendable>(
        maxAttempts: Int = 5, _ body: (DocumentTransaction) async throws -> Result
    ) async throws -> Result {
        try await pool.withTransaction(maxAttempts: maxAttempts) { connection in
            try await body(DocumentTransaction(connection: connection))
        }
    }
}

/// A named collection of documents.
public struct CollectionReference: Sendable {
    public let store: DocumentStore
    public let name: String

    /// The document with this id (which need not exist).
    public func document(_ id: String) -> DocumentReference {
        DocumentReference(collection: self, id: id)
    }

    /// A query over the whole collection, to be narrowed with filters, order and limit.
    public var query: Query { Query(collection: self) }

    public func whereField(_ field: String, _ op: Query.Operator, _ value: DocumentValue) -> Query {
        query.whereField(field, op, value)
    }

    public func order(by field: String, descending: Bool = false) -> Query {
        query.order(by: field, descending: descending)
    }
}

/// One document's address: collection and id.
public struct DocumentReference: Sendable, Hashable {
    public let collection: String
    public let id: String
    let store: DocumentStore

    init(collection: CollectionReference, id: String) {
        self.collection = collection.name
        self.id = id
        self.store = collection.store
    }

    public var path: String { "\(collection)/\(id)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.collection == rhs.collection && lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(collection)
        hasher.combine(id)
    }

    public func get() async throws -> DocumentSnapshot? {
        try await store.pool.withConnection { try await DocumentOperations.get(self, on: $0, lock: false) }
    }

    /// Replaces the document (or, with `merge`, merges the fields into it, nested maps
    /// included), creating it if needed unless a precondition says otherwise.
    @discardableResult
    public func set(_ data: DocumentData, merge: Bool = false, precondition: Precondition? = nil) async throws -> WriteResult {
        try await store.pool.withConnection {
            try await DocumentOperations.set(self, data, merge: merge, precondition: precondition, on: $0)
        }
    }

    /// Creates the document; fails with `alreadyExists` if it exists.
    @discardableResult
    public func create(_ data: DocumentData) async throws -> WriteResult {
        try await set(data, precondition: .doesNotExist)
    }

    /// Replaces the named top-level fields; fails with `notFound` if the document does not exist.
    @discardableResult
    public func update(_ fields: DocumentData, precondition: Precondition? = nil) async throws -> WriteResult {
        try await store.pool.withConnection {
            try await DocumentOperations.update(self, fields, precondition: precondition, on: $0)
        }
    }

    /// Deletes the document; deleting a missing document succeeds unless a precondition says otherwise.
    public func delete(precondition: Precondition? = nil) async throws {
        try await store.pool.withConnection {
            try await DocumentOperations.delete(self, precondition: precondition, on: $0)
        }
    }
}
