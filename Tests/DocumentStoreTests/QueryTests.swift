import DocumentStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Document store: queries in SQL")
struct QueryTests {
    /// Ten products p0…p9: price i, category alternating, tags, a nested rating, one without price.
    private func seeded(_ label: String) async throws -> CollectionReference {
        let store = try await makeStore(label)
        let products = store.collection("products")
        for index in 0..<10 {
            try await products.document("p\(index)").set([
                "price": .integer(Int64(index)), "category": index % 2 == 0 ? "even" : "odd",
                "tags": index < 3 ? ["sale", "new"] : ["regular"], "stats": ["rating": .double(Double(index) / 2)],
                "name": .string("item \(index)"),
            ])
        }
        try await products.document("no_price").set(["category": "even", "name": "free", "tags": []])
        try await products.document("text_price").set(["price": "cheap", "category": "odd", "tags": []])
        return products
    }

    private func ids(_ query: Query) async throws -> [String] {
        try await query.getDocuments().map(\.id)
    }

    @Test func comparisonOperators() async throws {
        let products = try await seeded("operators")
        #expect(try await ids(products.whereField("price", .equal, 3)) == ["p3"])
        #expect(try await ids(products.whereField("price", .lessThan, 2)) == ["p0", "p1"])
        #expect(try await ids(products.whereField("price", .lessThanOrEqual, 1)) == ["p0", "p1"])
        #expect(try await ids(products.whereField("price", .greaterThan, 8)) == ["p9"])
        #expect(try await ids(products.whereField("price", .greaterThanOrEqual, 8.5)) == ["p9"])
        // A range over numbers never matches the string price; != leaves out documents without the field.
        #expect(try await ids(products.whereField("price", .greaterThan, -1)).count == 10)
        #expect(try await ids(products.whereField("price", .notEqual, 0)).count == 10)
        #expect(try await ids(products.whereField("price", .in, [1, 4, "cheap"])) == ["p1", "p4", "text_price"])
        #expect(try await ids(products.whereField("tags", .arrayContains, "sale")) == ["p0", "p1", "p2"])
        #expect(try await ids(products.whereField("stats.rating", .greaterThanOrEqual, 4.0)) == ["p8", "p9"])
        #expect(try await ids(products.whereField("category", .equal, "odd").whereField("price", .lessThan, 5)) == ["p1", "p3"])
    }

    @Test func orderLimitAndIdTiebreak() async throws {
        let products = try await seeded("order")
        #expect(try await ids(products.order(by: "price", descending: true).limit(3)) == ["p9", "p8", "p7"])
        // Documents without the ordered field are left out; equal keys fall back to the id.
        let byCategory = try await ids(products.whereField("price", .greaterThanOrEqual, 0).order(by: "category"))
        #expect(byCategory == ["p0", "p2", "p4", "p6", "p8", "p1", "p3", "p5", "p7", "p9"])
        #expect(try await ids(products.order(by: "price")).contains("no_price") == false)
    }

    @Test func startAfterPagesThroughEverythingOnce() async throws {
        let products = try await seeded("cursor")
        for descending in [false, true] {
            let base = products.whereField("price", .greaterThanOrEqual, 0).order(by: "category", descending: descending).limit(3)
            var seen: [String] = []
            var page = try await base.getDocuments()
            while !page.isEmpty {
                seen += page.map(\.id)
                page = try await base.start(after: page.last!).getDocuments()
            }
            let all = try await ids(base.limit(100))
            #expect(seen == all)
            #expect(seen.count == 10)
        }
    }

    @Test func declaredIndexIsUsedForItsFieldPair() async throws {
        let store = try await makeStore("explain")
        let indexes = DocumentIndexes(indexes: [
            .init(collectionGroup: "user_sessions", fields: [
                .init(fieldPath: "user_uid", order: "ASCENDING"), .init(fieldPath: "is_active", order: "ASCENDING"),
            ])
        ])
        try await indexes.apply(on: store.pool, logger: TestEnvironment.logger("explain"))
        try await indexes.apply(on: store.pool, logger: TestEnvironment.logger("explain"))  // idempotent
        let sessions = store.collection("user_sessions")
        for index in 0..<300 {
            try await sessions.document("s\(index)").set(["user_uid": .string("u\(index % 30)"), "is_active": .bool(index % 7 != 0)])
        }
        let query = sessions.whereField("user_uid", .equal, "u7").whereField("is_active", .equal, true)
        #expect(try await query.getDocuments().count == 8)
        let plan = try await store.pool.withTransaction { connection -> String in
            try await connection.query("ANALYZE documents")
            try await connection.query("SET LOCAL enable_seqscan = off")
            var explain = PostgresQuery(stringLiteral: "EXPLAIN ")
            explain.append(try query.statement())
            return try await connection.query(explain).map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
        }
        #expect(plan.contains("doc_user_sessions_user_uid_is_active"), "\(plan)")
    }

    @Test func theProjectsIndexFileIsValid() throws {
        let file = TestEnvironment.repositoryRoot.appending(path: "database/document-indexes.json")
        let statements = try DocumentIndexes(contentsOf: file).statements()
        #expect(statements.contains { $0.contains("doc_user_sessions_user_uid_is_active") })
    }
}
