import Contracts
import DocumentStore
import Foundation

/// A `users` document: the design document's fields plus roles and the password hash.
struct UserRecord: Sendable {
    var uid: String
    var email: String
    var firstName: String
    var lastName: String
    var phoneNumber: String?
    var status: String
    var emailVerified: Bool
    var timezone: String
    var language: String
    var source: String?
    var ipAddress: String?
    var userAgent: String?
    var loginCount: Int
    var lastLoginAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?
    var roles: [String]
    var passwordHash: String

    static let collection = "users"
    /// Maps each lower-cased email to its uid; its document ids make emails unique.
    static let emailCollection = "user_emails"

    /// A profile is complete when it has a name and a phone number.
    var profileCompleted: Bool { !firstName.isEmpty && !lastName.isEmpty && phoneNumber != nil }
    var isActive: Bool { deletedAt == nil && status == "active" }

    init(
        uid: String, email: String, firstName: String, lastName: String, phoneNumber: String?, timezone: String,
        language: String, roles: [String], passwordHash: String, source: String?, ipAddress: String?, userAgent: String?,
        now: Date
    ) {
        self.uid = uid
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.status = "active"
        self.emailVerified = false
        self.timezone = timezone
        self.language = language
        self.source = source
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.loginCount = 0
        self.lastLoginAt = nil
        self.createdAt = now
        self.updatedAt = now
        self.deletedAt = nil
        self.roles = roles
        self.passwordHash = passwordHash
    }

    init(_ snapshot: DocumentSnapshot) throws {
        let data = snapshot.data
        func string(_ key: String) throws -> String {
            guard let value = data[key]?.stringValue else { throw DocumentStoreError.invalidData("user \(snapshot.id) has no \(key)") }
            return value
        }
        uid = snapshot.id
        email = try string("email")
        firstName = try string("first_name")
        lastName = try string("last_name")
        phoneNumber = data["phone_number"]?.stringValue
        status = try string("status")
        emailVerified = data["email_verified"]?.boolValue ?? false
        timezone = try string("timezone")
        language = try string("language")
        source = data["source"]?.stringValue
        ipAddress = data["ip_address"]?.stringValue
        userAgent = data["user_agent"]?.stringValue
        loginCount = Int(data["login_count"]?.integerValue ?? 0)
        lastLoginAt = data["last_login_at"]?.timestampValue
        createdAt = data["created_at"]?.timestampValue ?? snapshot.createTime
        updatedAt = data["updated_at"]?.timestampValue ?? snapshot.updateTime
        deletedAt = data["deleted_at"]?.timestampValue
        roles = data["roles"]?.arrayValue?.compactMap(\.stringValue) ?? ["customer"]
        passwordHash = try string("password_hash")
    }

    var document: DocumentData {
        [
            "email": .string(email), "first_name": .string(firstName), "last_name": .string(lastName),
            "phone_number": .optional(phoneNumber), "status": .string(status), "email_verified": .bool(emailVerified),
            "profile_completed": .bool(profileCompleted), "timezone": .string(timezone), "language": .string(language),
            "source": .optional(source), "ip_address": .optional(ipAddress), "user_agent": .optional(userAgent),
            "login_count": .integer(Int64(loginCount)), "last_login_at": .optional(lastLoginAt),
            "created_at": .timestamp(createdAt), "updated_at": .timestamp(updatedAt), "deleted_at": .optional(deletedAt),
            "roles": .array(roles.map(DocumentValue.string)), "password_hash": .string(passwordHash),
        ]
    }

    var response: UserResponse {
        UserResponse(
            uid: uid, email: email, firstName: firstName, lastName: lastName, phoneNumber: phoneNumber, status: status,
            emailVerified: emailVerified, profileCompleted: profileCompleted, timezone: timezone, language: language,
            loginCount: loginCount, lastLoginAt: lastLoginAt, createdAt: createdAt, updatedAt: updatedAt, roles: roles)
    }
}
