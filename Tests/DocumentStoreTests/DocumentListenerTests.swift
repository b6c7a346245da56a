import DocumentStore
import Foundation
import Synchronization
import Postgres
import ServiceLifecycle
import TestSupport
import Testing

/// `DocumentListeners` (Firestore's `onSnapshot`): a listener reports what is there, then
/// every change once, whichever store (here: another pool, as another replica would) wrote it.
@Suite("Document store: listeners")
struct DocumentListenerTests {
    @Test func aDocumentListenerSeesItAddedModifiedAndRemoved() async throws {
        try await withListeners { store, other, listeners in
            let ada = store.collection("people").document("ada")
            let changes = Batches(listeners.listen(to: ada))
            #expect(try await changes.next() == [])  // nothing there yet

            try await other.collection("people").document("ada").create(["name": "Ada"])
            let added = try await changes.next()
            #expect(added.map(\.kind) == [.added] && added.first?.document["name"] == "Ada")
            // A write elsewhere in the collection is no change of this document.
            try await other.collection("people").document("bob").create(["name": "Bob"])
            try await ada.update(["name": "Ada Lovelace"])
            let modified = try await changes.next()
            #expect(modified.map(\.kind) == [.modified] && modified.first?.document["name"] == "Ada Lovelace")
            try await other.collection("people").document("ada").delete()
            let removed = try await changes.next()
            #expect(removed.map(\.kind) == [.removed] && removed.first?.document.id == "ada")
        }
    }

    @Test func aQueryListenerSeesDocumentsComeIntoAndLeaveItsView() async throws {
        try await withListeners { store, other, listeners in
            let tasks = store.collection("tasks")
            try await tasks.document("t1").create(["owner": "ada", "done": false])
            try await tasks.document("t2").create(["owner": "bob", "done": false])
            let changes = Batches(listeners.listen(to: tasks.whereField("done", .equal, false).whereField("owner", .equal, "ada")))
            #expect(try await changes.next().map { "\($0.kind) \($0.document.id)" } == ["added t1"])

            try await other.collection("tasks").document("t3").create(["owner": "ada", "done": false])
            #expect(try await changes.next().map { "\($0.kind) \($0.document.id)" } == ["added t3"])
            try await other.collection("tasks").document("t1").update(["title": "write"])
            #expect(try await changes.next().map { "\($0.kind) \($0.document.id)" } == ["modified t1"])
            try await other.collection("tasks").document("t1").update(["done": true])  // leaves the view
            #expect(try await changes.next().map { "\($0.kind) \($0.document.id)" } == ["removed t1"])
            try await other.collection("tasks").document("t2").update(["title": "not ada's"])  // never in view
            try await other.collection("tasks").document("t3").delete()
            #expect(try await changes.next().map { "\($0.kind) \($0.document.id)" } == ["removed t3"])
        }
    }

    @Test func aListenerEndsWhenTheServiceStops() async throws {
        let (store, _) = try await stores("listener-end")
        let listeners = DocumentListeners(configuration: store.pool.configuration, logger: TestEnvironment.logger("listeners"))
        let group = ServiceGroup(configuration: .init(services: [listeners], logger: TestEnvironment.logger("listeners")))
        let running = Task { try await group.run() }
        let changes = Batches(listeners.listen(to: store.collection("people").document("x")))
        #expect(try await changes.next() == [])
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(await changes.ends(within: .seconds(10)))
        await store.pool.close()
    }

    // MARK: Helpers

    /// A store, and another store on the same database through a pool of its own.
    private func stores(_ label: String) async throws -> (DocumentStore, DocumentStore) {
        let store = try await makeStore(label)
        return (store, DocumentStore(pool: PostgresPool(configuration: store.pool.configuration, logger: TestEnvironment.logger(label))))
    }

    private func withListeners(_ body: (DocumentStore, DocumentStore, DocumentListeners) async throws -> Void) async throws {
        let (store, other) = try await stores("listeners")
        let listeners = DocumentListeners(configuration: store.pool.configuration, logger: TestEnvironment.logger("listeners"))
        let group = ServiceGroup(configuration: .init(services: [listeners], logger: TestEnvironment.logger("listeners")))
        let running = Task { try await group.run() }
        do {
            try await body(store, other, listeners)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
        await store.pool.close()
        await other.pool.close()
    }
}

/// A listener's batches as they come, read by a task of their own.
private final class Batches: Sendable {
    private final class Received: Sendable {
        let state = Mutex<(batches: [[DocumentChange]], taken: Int, ended: Bool)>(([], 0, false))
    }

    private let received = Received()
    private let reader: Task<Void, Never>

    init(_ changes: AsyncStream<[DocumentChange]>) {
        let received = self.received
        reader = Task {
            for await batch in changes { received.state.withLock { $0.batches.append(batch) } }
            received.state.withLock { $0.ended = true }
        }
    }

    deinit { reader.cancel() }

    /// The next batch; throws when none comes within 10 seconds.
    func next() async throws -> [DocumentChange] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let batch = received.state.withLock { state -> [DocumentChange]? in
                guard state.taken < state.batches.count else { return nil }
                state.taken += 1
                return state.batches[state.taken - 1]
            }
            if let batch { return batch }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestSetupError("no change within 10 s")
    }

    /// Whether the listener's sequence ends within `patience`.
    func ends(within patience: Duration) async -> Bool {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            if received.state.withLock({ $0.ended }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
