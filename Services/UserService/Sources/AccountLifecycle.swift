import DocumentStore
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// What becomes of a deleted account (`DELETE /api/v1/users/me` ends its sessions at once):
///
/// - after `anonymiseAfter` (`ACCOUNT_ANONYMISE_AFTER_DAYS`, 30) its personal fields go: the
///   email becomes `anonymised-<uid>@invalid` and is free to register again, names, phone,
///   IP address, user agent and password hash are emptied, its sessions (devices, IP
///   addresses) are deleted, and its status becomes `anonymised`;
/// - after `removeAfter` (`ACCOUNT_REMOVE_AFTER_DAYS`, 90) the user document itself goes.
///
/// Orders, payments and reviews stay with the Order and Product services (7-year retention);
/// they name the user only by uid, a random id that nothing links to a person any more once
/// the account is anonymised. Runs hourly; ``run(now:)`` takes the clock as an argument.
struct AccountLifecycle: Service {
    let store: DocumentStore
    let anonymiseAfter: TimeInterval
    let removeAfter: TimeInterval
    let ready: SchemaReadiness
    let logger: Logger
    var interval: Duration = .seconds(3600)

    private var users: CollectionReference { store.collection(UserRecord.collection) }

    func run() async throws {
        await repeatUntilStopped(every: interval, after: ready) {
            do {
                let done = try await run(now: Date())
                if done.anonymised + done.removed > 0 {
                    logger.info("deleted accounts processed", metadata: ["anonymised": "\(done.anonymised)", "removed": "\(done.removed)"])
                }
            } catch {
                logger.warning("the deleted accounts' lifecycle failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Anonymises and removes what is due at `now`; how many of each.
    @discardableResult
    func run(now: Date) async throws -> (anonymised: Int, removed: Int) {
        let removable = try await due("anonymised", before: now.addingTimeInterval(-removeAfter))
        for user in removable { try await users.document(user.id).delete() }
        let anonymisable = try await due("deleted", before: now.addingTimeInterval(-anonymiseAfter))
        for user in anonymisable { try await anonymise(user.id, now: now) }
        return (anonymisable.count, removable.count)
    }

    private func due(_ status: String, before cutoff: Date) async throws -> [DocumentSnapshot] {
        try await users.whereField("status", .equal, .string(status)).whereField("deleted_at", .lessThan, .timestamp(cutoff))
            .limit(1000).getDocuments()
    }

    private func anonymise(_ uid: String, now: Date) async throws {
        let sessions = try await store.collection(SessionRecord.collection).whereField("user_uid", .equal, .string(uid)).getDocuments()
        try await store.runTransaction { transaction in
            let reference = users.document(uid)
            guard let snapshot = try await transaction.get(reference), snapshot["status"]?.stringValue == "deleted" else { return }
            if let email = snapshot["email"]?.stringValue {
                let mapping = store.collection(UserRecord.emailCollection).document(email)
                if try await transaction.get(mapping)?["uid"]?.stringValue == uid { try await transaction.delete(mapping) }
            }
            try await transaction.update(reference, [
                "email": .string("anonymised-\(uid)@invalid"), "first_name": .string(""), "last_name": .string(""),
                "phone_number": .null, "ip_address": .null, "user_agent": .null, "source": .null, "password_hash": .string(""),
                "status": .string("anonymised"), "anonymised_at": .timestamp(now),
            ])
            for session in sessions { try await transaction.delete(store.collection(SessionRecord.collection).document(session.id)) }
        }
    }
}
