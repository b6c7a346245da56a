import Contracts
import DocumentStore
import Foundation
import HummingbirdTesting
import Postgres
import ServiceKit
import TestSupport
import Testing
@testable import UserService

/// A deleted account through its lifecycle on a real database, the clock given to each run:
/// kept as it was for 30 days, then anonymised (its email free again, its sessions gone),
/// then removed after 90.
@Suite("Deleted accounts: anonymised after 30 days, removed after 90")
struct AccountLifecycleTests {
    static let day: TimeInterval = 86_400

    @Test func anAccountDeletedElsewhereHasItsSessionsEndedAtOnce() async throws {
        let configuration = try await serviceTestConfiguration(UserServiceApp.defaults)
        try await UserServiceApp.buildApplication(configuration: configuration).test(.live) { client in
            let registered = try decode(AuthResponse.self, try await client.register("elsewhere@example.com"))
            #expect(try await client.login("elsewhere@example.com", "correct horse battery").status == .ok)
            let pool = PostgresPool(configuration: configuration.database, logger: TestEnvironment.logger("elsewhere"))
            let store = DocumentStore(pool: pool)
            let directory = UserDirectory(store: store, sessionLifetime: 30 * Self.day)
            let uid = registered.user.uid
            #expect(try await directory.activeSessions(uid: uid).count == 2)
            // Another process marks the account deleted, and does nothing more.
            try await store.collection(UserRecord.collection).document(uid)
                .update(["status": .string("deleted"), "deleted_at": .timestamp(Date())])
            #expect(try await eventually(within: 10) { try await directory.activeSessions(uid: uid).isEmpty })
            await pool.close()
        }
    }

    @Test func aDeletedAccountIsAnonymisedThenRemovedAndItsEmailCanRegisterAgain() async throws {
        let configuration = try await serviceTestConfiguration(UserServiceApp.defaults)
        let logger = TestEnvironment.logger("lifecycle")
        let pool = PostgresPool(configuration: configuration.database, logger: logger)
        try await applyMigrations(from: configuration.migrationsDirectory, on: pool, logger: logger)
        let store = DocumentStore(pool: pool)
        let directory = UserDirectory(store: store, sessionLifetime: 30 * Self.day)
        func user(_ email: String) -> UserRecord {
            UserRecord(
                uid: UUID().uuidString.lowercased(), email: email, firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000",
                timezone: "Europe/London", language: "en", roles: ["customer"], passwordHash: "$2b$10$hash", source: "web",
                ipAddress: "192.0.2.7", userAgent: "Mozilla/5.0", now: Date())
        }
        let gone = user("gone@example.com")
        try await directory.create(gone)
        _ = try await directory.openSession(for: gone, userAgent: "Mozilla/5.0", ipAddress: "192.0.2.7")
        #expect(try await directory.softDelete(uid: gone.uid))
        #expect(try await directory.activeSessions(uid: gone.uid).isEmpty, "deletion ends the sessions at once")
        let lifecycle = AccountLifecycle(
            store: store, anonymiseAfter: 30 * Self.day, removeAfter: 90 * Self.day, ready: SchemaReadiness(), logger: logger)

        // Day 29: nothing yet, and the email is still taken.
        let early = try await lifecycle.run(now: Date().addingTimeInterval(29 * Self.day))
        #expect(early.anonymised == 0 && early.removed == 0)
        #expect(try await directory.user(uid: gone.uid)?.firstName == "Ada")
        await #expect(throws: AccountError.emailTaken) { try await directory.create(user("gone@example.com")) }

        // Day 31: anonymised.
        #expect(try await lifecycle.run(now: Date().addingTimeInterval(31 * Self.day)).anonymised == 1)
        let anonymised = try #require(try await directory.user(uid: gone.uid))
        #expect(anonymised.email == "anonymised-\(gone.uid)@invalid" && anonymised.status == "anonymised")
        #expect(anonymised.firstName.isEmpty && anonymised.lastName.isEmpty && anonymised.phoneNumber == nil)
        #expect(anonymised.ipAddress == nil && anonymised.userAgent == nil && anonymised.passwordHash.isEmpty)
        #expect(try await directory.sessions(uid: gone.uid).isEmpty, "the sessions (devices, IP addresses) are gone")
        #expect(try await directory.user(email: "gone@example.com") == nil)
        let again = user("gone@example.com")
        try await directory.create(again)
        #expect(try await directory.user(email: "gone@example.com")?.uid == again.uid, "the email registers again")
        let repeated = try await lifecycle.run(now: Date().addingTimeInterval(31 * Self.day))
        #expect(repeated.anonymised == 0 && repeated.removed == 0, "a second run finds nothing more to do")

        // Day 91: removed; the new account with the same email is untouched.
        #expect(try await lifecycle.run(now: Date().addingTimeInterval(91 * Self.day)).removed == 1)
        #expect(try await directory.user(uid: gone.uid) == nil)
        #expect(try await directory.user(uid: again.uid)?.status == "active")
        await pool.close()
    }
}
