import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// One change of what a listener follows, as Firestore's `DocumentChange` reports it.
public struct DocumentChange: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The document came into view: it was created, or now matches the query.
        case added
        /// It is still in view, with another `update_time`.
        case modified
        /// It left the view: deleted, or no longer matching; `document` is as last seen.
        case removed
    }

    public let kind: Kind
    public let document: DocumentSnapshot
}

/// Listeners on documents and queries (Firestore's `onSnapshot`): each yields its changes as
/// an `AsyncSequence` of batches, the first batch being what is there when it starts (every
/// document `added`, possibly none).
///
/// Driven by the database: a trigger on `documents` announces every committed write on the
/// channel `document_changed` (migration `0005_document_change_notifications.sql`), so a
/// write by any process, this one or another replica or `psql`, reaches every listener. On a
/// notification for a collection, each listener on it reads its document or runs its query
/// again and compares with what it saw (ids and `update_time`s), so it reports each change
/// once however many notifications announced it. While the listening connection is lost,
/// nothing is reported; once it is back, every listener reads again, and so misses nothing
/// that is still different. Run it as a `Service`.
public final class DocumentListeners: Service, Sendable {
    public static let channel = "document_changed"

    /// What one listener follows.
    enum Target: Sendable {
        case document(DocumentReference)
        case query(Query)

        var collection: String {
            switch self {
            case .document(let reference): reference.collection
            case .query(let query): query.collection.name
            }
        }

        func matches(collection: String, id: String) -> Bool {
            switch self {
            case .document(let reference): reference.collection == collection && reference.id == id
            case .query(let query): query.collection.name == collection
            }
        }

        func read() async throws -> [DocumentSnapshot] {
            switch self {
            case .document(let reference): try await reference.get().map { [$0] } ?? []
            case .query(let query): try await query.getDocuments()
            }
        }
    }

    private struct Listener {
        let target: Target
        let continuation: AsyncStream<[DocumentChange]>.Continuation
        /// What it has reported as in view, by id.
        var seen: [String: DocumentSnapshot] = [:]
        var started = false
    }

    private let listeners = Mutex<[Int: Listener]>([:])
    private let lastID = Atomic<Int>(0)
    /// Listeners to read again; `nil` for all of them.
    private let pending: AsyncStream<Int?>.Continuation
    private let pendingReads: AsyncStream<Int?>
    private let configuration: PostgresConfiguration
    private let logger: Logger

    /// `configuration` is the store's database, on which a connection of its own listens.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        (pendingReads, pending) = AsyncStream.makeStream()
        self.configuration = configuration
        self.logger = logger
    }

    /// The changes of one document.
    public func listen(to document: DocumentReference) -> AsyncStream<[DocumentChange]> {
        listen(.document(document))
    }

    /// The changes of a query's results.
    public func listen(to query: Query) -> AsyncStream<[DocumentChange]> {
        listen(.query(query))
    }

    public func run() async throws {
        let notifications = PostgresNotificationListener(channel: Self.channel, configuration: configuration, logger: logger) {
            [weak self] event in self?.apply(event)
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await notifications.run() }
            group.addTask {
                await withGracefulShutdownHandler {
                    for await id in self.pendingReads { await self.read(id) }
                } onGracefulShutdown: {
                    self.pending.finish()
                    // Finished outside the lock: each one's termination handler takes it.
                    self.listeners.withLock { $0.values.map(\.continuation) }.forEach { $0.finish() }
                }
            }
        }
    }

    // MARK: Internals

    private func listen(_ target: Target) -> AsyncStream<[DocumentChange]> {
        let (changes, continuation) = AsyncStream<[DocumentChange]>.makeStream()
        let id = lastID.add(1, ordering: .relaxed).newValue
        listeners.withLock { $0[id] = Listener(target: target, continuation: continuation) }
        continuation.onTermination = { [weak self] _ in _ = self?.listeners.withLock { $0.removeValue(forKey: id) } }
        pending.yield(id)
        return changes
    }

    private func apply(_ event: PostgresNotificationListener.Event) {
        switch event {
        case .listening:
            pending.yield(nil)  // writes made while no one listened were not announced
        case .interrupted:
            break
        case .notification(let payload):
            guard let names = try? JSONDecoder().decode([String].self, from: Data(payload.utf8)), names.count == 2 else {
                pending.yield(nil)  // '*': a TRUNCATE, or a name too long to announce
                return
            }
            let ids = listeners.withLock { listeners in
                listeners.filter { $0.value.target.matches(collection: names[0], id: names[1]) }.map(\.key)
            }
            ids.forEach { pending.yield($0) }
        }
    }

    /// Reads a listener's target again (every listener's for `nil`) and reports what changed.
    private func read(_ id: Int?) async {
        let ids = id.map { [$0] } ?? listeners.withLock { Array($0.keys) }
        for id in ids {
            guard let target = listeners.withLock({ $0[id]?.target }) else { continue }
            let documents: [DocumentSnapshot]
            do {
                documents = try await target.read()
            } catch {
                logger.warning("document listener could not read", metadata: ["collection": "\(target.collection)", "error": "\(error)"])
                continue
            }
            listeners.withLock { listeners in
                guard var listener = listeners[id] else { return }
                let changes = Self.changes(from: listener.seen, to: documents)
                listener.seen = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0) })
                if !changes.isEmpty || !listener.started { listener.continuation.yield(changes) }
                listener.started = true
                listeners[id] = listener
            }
        }
    }

    /// What differs between two views: in the new view's order, then what left it.
    static func changes(from seen: [String: DocumentSnapshot], to documents: [DocumentSnapshot]) -> [DocumentChange] {
        var changes: [DocumentChange] = []
        for document in documents {
            switch seen[document.id] {
            case nil: changes.append(DocumentChange(kind: .added, document: document))
            case let old? where old.updateTime != document.updateTime || old.data != document.data:
                changes.append(DocumentChange(kind: .modified, document: document))
            default: break
            }
        }
        let ids = Set(documents.map(\.id))
        for (id, old) in seen.sorted(by: { $0.key < $1.key }) where !ids.contains(id) {
            changes.append(DocumentChange(kind: .removed, document: old))
        }
        return changes
    }
}
