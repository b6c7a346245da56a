import DocumentStore
import Foundation
import TestSupport
import Testing

@Suite("Document store: values, writes and preconditions")
struct DocumentOperationTests {
    @Test func everyValueTypeRoundTripsExactly() async throws {
        let store = try await makeStore("values")
        let moment = Date(timeIntervalSince1970: 1_714_566_605.123456)
        let data: DocumentData = [
            "text": "ünïcödé \"quoted\" back\\slash\nnew line \u{1F600}",
            "big": .integer(Int64.max), "negative": .integer(Int64.min), "zero": 0,
            "whole_double": 2.0, "huge_double": 1e20, "tiny_double": 1.5e-300, "fraction": 0.1,
            "yes": true, "no": false, "nothing": nil, "when": .timestamp(moment),
            "list": [1, "two", 3.0, nil, [true], ["nested": "map"]],
            "map": ["inner": ["deeper": .timestamp(moment)], "empty": [:], "empty_list": []],
        ]
        try await store.collection("things").document("a").set(data)
        let snapshot = try #require(try await store.collection("things").document("a").get())
        #expect(snapshot.data == data)
        #expect(snapshot["whole_double"] == .double(2.0))
        #expect(snapshot["big"] == .integer(Int64.max))
    }

    @Test func setReplacesAndMergeMergesNestedMaps() async throws {
        let store = try await makeStore("merge")
        let doc = store.collection("profiles").document("p1")
        let first = try await doc.set(["name": "Ada", "address": ["city": "London", "zip": "N1"], "tags": ["a"]])
        try await doc.set(["address": ["city": "Paris"], "age": 36], merge: true)
        #expect(try await doc.get()?.data == ["name": "Ada", "address": ["city": "Paris", "zip": "N1"], "tags": ["a"], "age": 36])
        let replaced = try await doc.set(["name": "Grace"])
        let snapshot = try #require(try await doc.get())
        #expect(snapshot.data == ["name": "Grace"])
        #expect(replaced.updateTime > first.updateTime)
        #expect(snapshot.createTime < snapshot.updateTime)
    }

    @Test func updateNeedsTheDocumentAndReplacesOnlyNamedFields() async throws {
        let store = try await makeStore("update")
        let doc = store.collection("users").document("u1")
        await #expect(throws: DocumentStoreError.notFound(path: "users/u1")) { try await doc.update(["a": 1]) }
        try await doc.set(["a": 1, "b": ["x": 1, "y": 2]])
        try await doc.update(["b": ["x": 5]])
        #expect(try await doc.get()?.data == ["a": 1, "b": ["x": 5]])
    }

    @Test func createAndDeleteRespectExistence() async throws {
        let store = try await makeStore("create")
        let doc = store.collection("emails").document("a@example.com")
        try await doc.create(["uid": "u1"])
        await #expect(throws: DocumentStoreError.alreadyExists(path: "emails/a@example.com")) { try await doc.create(["uid": "u2"]) }
        try await doc.delete()
        #expect(try await doc.get() == nil)
        try await doc.delete()
        await #expect(throws: DocumentStoreError.notFound(path: "emails/a@example.com")) { try await doc.delete(precondition: .exists) }
    }

    @Test func updateTimePreconditionDetectsConcurrentChange() async throws {
        let store = try await makeStore("precondition")
        let doc = store.collection("carts").document("c1")
        let written = try await doc.set(["items": 1])
        let stale = written.updateTime
        try await doc.set(["items": 2], precondition: .updateTime(stale))
        await #expect(throws: DocumentStoreError.failedPrecondition(path: "carts/c1")) {
            try await doc.set(["items": 3], precondition: .updateTime(stale))
        }
        await #expect(throws: DocumentStoreError.failedPrecondition(path: "carts/c1")) {
            try await doc.delete(precondition: .updateTime(stale))
        }
        await #expect(throws: DocumentStoreError.notFound(path: "carts/none")) {
            try await store.collection("carts").document("none").set(["x": 1], precondition: .exists)
        }
        #expect(try await doc.get()?["items"] == 2)
    }

    @Test func namesThatAreNotIdentifiersAreRefused() async throws {
        let store = try await makeStore("names")
        await #expect(throws: DocumentStoreError.self) {
            try await store.collection("users'; DROP TABLE documents; --").document("x").set(["a": 1])
        }
        await #expect(throws: DocumentStoreError.self) {
            try await store.collection("users").whereField("a') OR true --", .equal, 1).getDocuments()
        }
        // Document ids are values, so anything goes there.
        try await store.collection("users").document("it's \"fine\"; --").set(["a": 1])
        #expect(try await store.collection("users").document("it's \"fine\"; --").get()?["a"] == 1)
    }

    @Test func nanCannotBeStored() async throws {
        let store = try await makeStore("nan")
        await #expect(throws: DocumentStoreError.self) { try await store.collection("x").document("y").set(["v": .double(.nan)]) }
    }
}

@Suite("Document store: transactions")
struct DocumentTransactionTests {
    @Test func fiftyConcurrentIncrementsEndAtFifty() async throws {
        let store = try await makeStore("increments", maxConnections: 20)
        let counter = store.collection("counters").document("visits")
        try await counter.set(["count": 0])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await store.runTransaction { transaction in
                        let current = try await transaction.get(counter)?["count"]?.integerValue ?? 0
                        try await transaction.update(counter, ["count": .integer(current + 1)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await counter.get()?["count"] == 50)
    }

    @Test func readsMustComeBeforeWrites() async throws {
        let store = try await makeStore("readorder")
        let doc = store.collection("a").document("b")
        await #expect(throws: DocumentStoreError.readAfterWrite) {
            try await store.runTransaction { transaction in
                try await transaction.set(doc, ["x": 1])
                _ = try await transaction.get(doc)
            }
        }
        #expect(try await doc.get() == nil)
    }

    @Test func aFailedTransactionWritesNothing() async throws {
        let store = try await makeStore("atomic")
        let from = store.collection("accounts").document("from")
        let to = store.collection("accounts").document("to")
        try await from.set(["balance": 10])
        await #expect(throws: DocumentStoreError.notFound(path: "accounts/to")) {
            try await store.runTransaction { transaction in
                _ = try await transaction.get(from)
                try await transaction.update(from, ["balance": 0])
                try await transaction.update(to, ["balance": 10])
            }
        }
        #expect(try await from.get()?["balance"] == 10)
    }
}
