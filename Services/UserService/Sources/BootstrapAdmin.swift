import Foundation
import Logging
import Primitives
import ServiceKit

/// Creates the admin named by `BOOTSTRAP_ADMIN_EMAIL` / `BOOTSTRAP_ADMIN_PASSWORD` at start-up
/// when no account has that email; an existing account is left as it is.
struct BootstrapAdmin: Sendable {
    let environment: [String: String]
    let directory: UserDirectory
    let hasher: PasswordHasher
    let logger: Logger

    func run() async throws {
        guard let rawEmail = environment["BOOTSTRAP_ADMIN_EMAIL"], !rawEmail.isEmpty,
            let password = environment["BOOTSTRAP_ADMIN_PASSWORD"], !password.isEmpty
        else { return }
        let email = EmailAddress.normalized(rawEmail)
        guard FieldErrors.isEmail(email), PasswordPolicy.problem(password) == nil else {
            throw ConfigurationError(
                variable: "BOOTSTRAP_ADMIN_EMAIL",
                reason: "must be an email and BOOTSTRAP_ADMIN_PASSWORD at least 8 characters and at most 72 bytes, with no control characters")
        }
        guard try await directory.user(email: email) == nil else { return }
        let admin = UserRecord(
            uid: Secrets.uid(), email: email, firstName: "Admin", lastName: "User", phoneNumber: nil, timezone: "UTC",
            language: "en", roles: ["admin"], passwordHash: try await hasher.hash(password), source: "bootstrap",
            ipAddress: nil, userAgent: nil, now: Date())
        do {
            try await directory.create(admin)
            logger.info("bootstrap admin created", metadata: ["user_uid": "\(admin.uid)"])
        } catch {
            // Another instance created it at the same moment.
            guard try await directory.user(email: email) != nil else { throw error }
        }
    }
}
