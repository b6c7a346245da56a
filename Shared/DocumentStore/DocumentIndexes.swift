import Foundation
import Logging
import Postgres

/// Composite indexes declared the way Firebase's `firestore.indexes.json` declares them,
/// created at start-up as expression indexes on the `documents` table (one partial index
/// per collection).
///
///     {"indexes": [{"collectionGroup": "user_sessions", "queryScope": "COLLECTION",
///                   "fields": [{"fieldPath": "user_uid", "order": "ASCENDING"},
///                              {"fieldPath": "is_active", "order": "ASCENDING"}]}]}
///
/// A field with `"arrayConfig": "CONTAINS"` gets a GIN index for `arrayContains`.
public struct DocumentIndexes: Sendable, Decodable {
    public struct Index: Sendable, Decodable {
        public var collectionGroup: String
        public var fields: [Field]

        public init(collectionGroup: String, fields: [Field]) {
            self.collectionGroup = collectionGroup
            self.fields = fields
        }
    }

    public struct Field: Sendable, Decodable {
        public var fieldPath: String
        /// `ASCENDING` or `DESCENDING`.
        public var order: String?
        /// `CONTAINS` for a field queried with `arrayContains`.
        public var arrayConfig: String?

        public init(fieldPath: String, order: String? = "ASCENDING", arrayConfig: String? = nil) {
            self.fieldPath = fieldPath
            self.order = order
            self.arrayConfig = arrayConfig
        }
    }

    public var indexes: [Index]

    /// Reads an index file.
    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(DocumentIndexes.self, from: Data(contentsOf: url))
    }

    public init(indexes: [Index]) {
        self.indexes = indexes
    }

    /// The `CREATE INDEX IF NOT EXISTS` statements for the declared indexes.
    public func statements() throws -> [String] {
        try indexes.flatMap { index -> [String] in
            let collection = try FieldPath.collectionLiteral(index.collectionGroup)
            let ordered = index.fields.filter { $0.arrayConfig == nil }
            var statements: [String] = []
            if !ordered.isEmpty {
                let keys = try ordered.map { field in
                    "(\(try FieldPath(field.fieldPath).sqlExpression))\(field.order == "DESCENDING" ? " DESC" : "")"
                }
                let name = Self.name(index.collectionGroup, ordered.map(\.fieldPath))
                statements.append(
                    "CREATE INDEX IF NOT EXISTS \(name) ON documents (\(keys.joined(separator: ", "))) WHERE collection = \(collection)")
            }
            for field in index.fields where field.arrayConfig == "CONTAINS" {
                let name = Self.name(index.collectionGroup, [field.fieldPath, "contains"])
                statements.append(
                    "CREATE INDEX IF NOT EXISTS \(name) ON documents USING GIN ((\(try FieldPath(field.fieldPath).sqlExpression)) jsonb_path_ops) WHERE collection = \(collection)")
            }
            return statements
        }
    }

    /// Creates every declared index that does not exist yet.
    public func apply(on pool: PostgresPool, logger: Logger) async throws {
        for statement in try statements() {
            try await pool.withConnection { try await $0.execute(script: statement) }
        }
        logger.info("document indexes are in place", metadata: ["count": "\(indexes.count)"])
    }

    /// `doc_<collection>_<fields>`, shortened to PostgreSQL's 63-byte limit with a hash when needed.
    static func name(_ collection: String, _ fields: [String]) -> String {
        let name = (["doc", collection] + fields.map { $0.replacingOccurrences(of: ".", with: "_") }).joined(separator: "_")
        guard name.utf8.count > 63 else { return name }
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return String(name.prefix(54)) + "_" + String(hash, radix: 16)
    }
}
