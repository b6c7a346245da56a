import Contracts
import DocumentStore
import Foundation
import ServiceKit

/// The User service's storage: users, their emails and sessions in the document store.
struct UserDirectory: Sendable {
    let store: DocumentStore
    /// `REFRESH_TOKEN_TTL_DAYS`, default 30: how long a session can be refreshed.
    let sessionLifetime: TimeInterval

    private var users: CollectionReference { store.collection(UserRecord.collection) }
    private var emails: CollectionReference { store.collection(UserRecord.emailCollection) }
    private var sessions: CollectionReference { store.collection(SessionRecord.collection) }

    /// Creates the user; 409 `email_taken` when the email (case-insensitive) is in use, also
    /// when two registrations race: the email's document id is unique.
    func create(_ user: UserRecord) async throws {
        do {
            try await store.runTransaction { transaction in
                try await transaction.create(emails.document(user.email), ["uid": .string(user.uid)])
                try await transaction.create(users.document(user.uid), user.document)
            }
        } catch DocumentStoreError.alreadyExists(let path) where path.hasPrefix(UserRecord.emailCollection) {
            throw AccountError.emailTaken
        }
    }

    /// The profile of a user signed in with another provider's token: made from what the token
    /// says the first time they are seen (`source` `firebase`, no local password, so no
    /// password login), the one made before afterwards, deleted or not. Requests that race make
    /// one profile. ``AccountError/emailTaken`` when an account registered here holds the email.
    func provision(uid: String, identity: ExternalIdentity) async throws -> UserRecord {
        if let existing = try await user(uid: uid) { return existing }
        let email = identity.email.map(EmailAddress.normalized) ?? ""
        let (firstName, lastName) = Self.splitName(identity.name)
        var record = UserRecord(
            uid: uid, email: email, firstName: firstName, lastName: lastName, phoneNumber: nil, timezone: "UTC", language: "en",
            roles: ["customer"], passwordHash: "", source: "firebase", ipAddress: nil, userAgent: nil, now: Date())
        record.emailVerified = identity.emailVerified
        do {
            try await store.runTransaction { transaction in
                if !email.isEmpty { try await transaction.create(emails.document(email), ["uid": .string(uid)]) }
                try await transaction.create(users.document(uid), record.document)
            }
            return record
        } catch DocumentStoreError.alreadyExists(let path) {
            // Another request made the profile first, or the email is another account's.
            if let existing = try await user(uid: uid) { return existing }
            guard path.hasPrefix(UserRecord.emailCollection) else { throw DocumentStoreError.alreadyExists(path: path) }
            throw AccountError.emailTaken
        }
    }

    /// `Ada Lovelace` as first and last name, each at most 100 characters.
    static func splitName(_ name: String?) -> (first: String, last: String) {
        let parts = (name ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        let first = String((parts.first ?? "").prefix(100))
        let last = String(parts.dropFirst().joined(separator: " ").prefix(100))
        return (first, last)
    }

    func user(uid: String) async throws -> UserRecord? {
        try await users.document(uid).get().map(UserRecord.init)
    }

    func user(email: String) async throws -> UserRecord? {
        guard let uid = try await emails.document(email).get()?["uid"]?.stringValue else { return nil }
        return try await user(uid: uid)
    }

    /// Bumps `login_count` and `last_login_at` and opens a session; returns it with its refresh secret.
    func recordLogin(_ user: UserRecord, userAgent: String?, ipAddress: String?) async throws -> (SessionRecord, String) {
        let secret = Secrets.token()
        let now = Date()
        let session = SessionRecord(
            userUID: user.uid, userAgent: userAgent, ipAddress: ipAddress, refreshTokenHash: Secrets.hash(secret),
            lifetime: sessionLifetime, now: now)
        let reference = users.document(user.uid)
        try await store.runTransaction { transaction in
            let count = try await transaction.get(reference)?["login_count"]?.integerValue ?? 0
            try await transaction.update(reference, ["login_count": .integer(count + 1), "last_login_at": .timestamp(now)])
            try await transaction.create(sessions.document(session.sessionToken), session.document)
        }
        return (session, secret)
    }

    /// A new session without a login count (right after registration).
    func openSession(for user: UserRecord, userAgent: String?, ipAddress: String?) async throws -> (SessionRecord, String) {
        let secret = Secrets.token()
        let session = SessionRecord(
            userUID: user.uid, userAgent: userAgent, ipAddress: ipAddress, refreshTokenHash: Secrets.hash(secret),
            lifetime: sessionLifetime, now: Date())
        try await sessions.document(session.sessionToken).create(session.document)
        return (session, secret)
    }

    /// Exchanges a refresh token for a new one. A token that was already exchanged revokes the
    /// whole session (someone holds a copy); an unknown, revoked or expired one is 401.
    func rotate(refreshToken: String) async throws -> (SessionRecord, String) {
        let parts = refreshToken.split(separator: ".", maxSplits: 1)
        guard parts.count == 2 else { throw AccountError.invalidRefreshToken }
        let reference = sessions.document(String(parts[0]))
        let presented = Secrets.hash(String(parts[1]))
        let newSecret = Secrets.token()
        enum Outcome: Sendable { case rotated(SessionRecord), reused, invalid }
        let outcome = try await store.runTransaction { transaction -> Outcome in
            guard let snapshot = try await transaction.get(reference) else { return .invalid }
            var session = try SessionRecord(snapshot)
            let now = Date()
            guard session.isUsable(now: now) else { return .invalid }
            if session.previousRefreshTokenHashes.contains(presented) {
                try await transaction.update(reference, ["is_active": false])
                return .reused
            }
            guard session.refreshTokenHash == presented else { return .invalid }
            session.previousRefreshTokenHashes = Array(
                (session.previousRefreshTokenHashes + [presented]).suffix(SessionRecord.rememberedRefreshTokens))
            session.refreshTokenHash = Secrets.hash(newSecret)
            session.lastActivityAt = now
            try await transaction.set(reference, session.document)
            return .rotated(session)
        }
        switch outcome {
        case .rotated(let session): return (session, newSecret)
        case .reused: throw AccountError.refreshTokenReused
        case .invalid: throw AccountError.invalidRefreshToken
        }
    }

    /// The user's active, unexpired sessions, newest first.
    /// Every session of the user, ended ones included, newest first.
    func sessions(uid: String) async throws -> [SessionRecord] {
        try await sessions.whereField("user_uid", .equal, .string(uid)).getDocuments().map(SessionRecord.init)
            .sorted { $0.createdAt > $1.createdAt }
    }

    func activeSessions(uid: String) async throws -> [SessionRecord] {
        let now = Date()
        return try await sessions.whereField("user_uid", .equal, .string(uid)).whereField("is_active", .equal, true)
            .getDocuments().map(SessionRecord.init).filter { $0.expiresAt > now }.sorted { $0.createdAt > $1.createdAt }
    }

    /// Ends a session of this user; `false` when it is not theirs (or does not exist).
    func revoke(sessionToken: String, uid: String) async throws -> Bool {
        let reference = sessions.document(sessionToken)
        return try await store.runTransaction { transaction in
            guard let snapshot = try await transaction.get(reference), snapshot["user_uid"]?.stringValue == uid else {
                return false
            }
            try await transaction.update(reference, ["is_active": false])
            return true
        }
    }

    /// Applies `change` to a user who is not deleted; `nil` when there is no such user.
    func update(uid: String, _ change: @Sendable (inout UserRecord) -> Void) async throws -> UserRecord? {
        let reference = users.document(uid)
        return try await store.runTransaction { transaction -> UserRecord? in
            guard let snapshot = try await transaction.get(reference) else { return nil }
            var user = try UserRecord(snapshot)
            guard user.deletedAt == nil else { return nil }
            change(&user)
            user.updatedAt = Date()
            try await transaction.set(reference, user.document)
            return user
        }
    }

    /// Soft delete: the account keeps its data and email but can no longer log in, and its sessions end.
    func softDelete(uid: String) async throws -> Bool {
        let now = Date()
        let deleted = try await update(uid: uid) { user in
            user.deletedAt = now
            user.status = "deleted"
        }
        guard deleted != nil else {
            return false
        }
        _ = try await endSessions(of: uid)
        return true
    }

    /// Ends the user's active sessions; returns how many.
    func endSessions(of uid: String) async throws -> Int {
        let active = try await activeSessions(uid: uid)
        for session in active {
            try await sessions.document(session.sessionToken).update(["is_active": false])
        }
        return active.count
    }
}
