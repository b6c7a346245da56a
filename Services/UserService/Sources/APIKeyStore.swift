import Contracts
import DocumentStore
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The `api_keys` collection: only a SHA-256 of each key is stored; the key is shown once.
/// Usage is counted in memory and written every few seconds by ``run()``, so resolving a
/// key on the hot path costs one indexed read and no write.
final class APIKeyStore: Sendable, Service {
    static let collection = "api_keys"
    /// Keys start with this, so they can be recognised (in logs, by secret scanners).
    static let prefix = "ek_"

    private let store: DocumentStore
    private let logger: Logger
    private let flushInterval: Duration
    private let pendingUsage = Mutex<[String: (count: Int, lastUsed: Date)]>([:])

    init(store: DocumentStore, logger: Logger, flushInterval: Duration = .seconds(5)) {
        self.store = store
        self.logger = logger
        self.flushInterval = flushInterval
    }

    private var keys: CollectionReference { store.collection(Self.collection) }

    func create(name: String, permissions: [String], rateLimit: Int, expiresAt: Date?) async throws -> APIKeyResponse {
        let key = Self.prefix + Secrets.randomAlphanumeric(40)
        let id = Secrets.randomAlphanumeric(20)
        let now = Date()
        try await keys.document(id).create([
            "name": .string(name), "key_hash": .string(Secrets.hash(key)), "key_prefix": .string(String(key.prefix(10))),
            "permissions": .array(permissions.map(DocumentValue.string)), "rate_limit": .integer(Int64(rateLimit)),
            "created_at": .timestamp(now), "expires_at": .optional(expiresAt), "is_active": true,
            "last_used": nil, "usage_count": 0,
        ])
        var response = try Self.response(try await keys.document(id).get()!)
        response.key = key
        return response
    }

    func list() async throws -> [APIKeyResponse] {
        try await keys.whereField("is_active", .equal, true).order(by: "created_at", descending: true).getDocuments()
            .map(Self.response)
    }

    /// Deactivates a key; `false` when there is no such active key.
    func delete(id: String) async throws -> Bool {
        do {
            let reference = keys.document(id)
            guard let snapshot = try await reference.get(), snapshot["is_active"] == true else { return false }
            try await reference.update(["is_active": false], precondition: .updateTime(snapshot.updateTime))
            return true
        } catch DocumentStoreError.notFound, DocumentStoreError.failedPrecondition {
            return false
        }
    }

    /// The key if it is active and not expired; counts the use.
    func resolve(key: String) async throws -> APIKeyResponse? {
        guard key.hasPrefix(Self.prefix) else { return nil }
        guard let snapshot = try await keys.whereField("key_hash", .equal, .string(Secrets.hash(key))).limit(1)
            .getDocuments().first
        else { return nil }
        let response = try Self.response(snapshot)
        guard response.isActive, response.expiresAt.map({ $0 > Date() }) ?? true else { return nil }
        let now = Date()
        pendingUsage.withLock { pending in
            pending[response.id, default: (0, now)].count += 1
            pending[response.id]!.lastUsed = now
        }
        return response
    }

    /// Writes the counted usage every `flushInterval`, and once more on shutdown.
    func run() async throws {
        await repeatUntilStopped(every: flushInterval) { await flush() }
        await flush()
    }

    func flush() async {
        let batch = pendingUsage.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for (id, usage) in batch {
            do {
                let reference = keys.document(id)
                try await store.runTransaction { transaction in
                    guard let snapshot = try await transaction.get(reference) else { return }
                    let count = snapshot["usage_count"]?.integerValue ?? 0
                    try await transaction.update(
                        reference, ["usage_count": .integer(count + Int64(usage.count)), "last_used": .timestamp(usage.lastUsed)])
                }
            } catch {
                logger.warning("cannot record API key usage", metadata: ["key_id": "\(id)", "error": "\(error)"])
            }
        }
    }

    static func response(_ snapshot: DocumentSnapshot) throws -> APIKeyResponse {
        let data = snapshot.data
        return APIKeyResponse(
            id: snapshot.id, name: data["name"]?.stringValue ?? "", key: nil,
            keyPrefix: data["key_prefix"]?.stringValue ?? "",
            permissions: data["permissions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            rateLimit: Int(data["rate_limit"]?.integerValue ?? 0),
            createdAt: data["created_at"]?.timestampValue ?? snapshot.createTime,
            expiresAt: data["expires_at"]?.timestampValue, isActive: data["is_active"]?.boolValue ?? false,
            lastUsed: data["last_used"]?.timestampValue, usageCount: Int(data["usage_count"]?.integerValue ?? 0))
    }
}
