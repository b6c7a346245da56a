import DocumentStore
import Logging
import ServiceKit
import ServiceLifecycle

/// Ends the sessions of a deleted account as soon as the account is deleted, however it was
/// deleted: it listens (``DocumentListeners``) to the users whose `status` is `deleted`, and
/// ends the active sessions of each that comes into that view. `DELETE /api/v1/users/me`
/// ends them itself too; this makes it hold when that process stopped between the two
/// writes, when another replica or an operator deleted the account, and for a session opened
/// by a login that raced the deletion. It starts by going through the accounts deleted
/// already (at most `ACCOUNT_ANONYMISE_AFTER_DAYS` of them).
struct DeletedAccountSessions: Service {
    let listeners: DocumentListeners
    let directory: UserDirectory
    let ready: SchemaReadiness
    let logger: Logger

    func run() async throws {
        guard await cancelWhenGracefulShutdown({ await ready.wait() }) else { return }
        let deleted = directory.store.collection(UserRecord.collection).whereField("status", .equal, .string("deleted"))
        for await changes in listeners.listen(to: deleted).cancelOnGracefulShutdown() {
            for change in changes where change.kind != .removed {
                do {
                    let ended = try await directory.endSessions(of: change.document.id)
                    if ended > 0 {
                        logger.info("sessions of a deleted account ended", metadata: ["user_uid": "\(change.document.id)", "sessions": "\(ended)"])
                    }
                } catch {
                    logger.warning("sessions of a deleted account not ended", metadata: ["user_uid": "\(change.document.id)", "error": "\(error)"])
                }
            }
        }
    }
}
