import Foundation

/// A user as the API shows it: never a password or its hash.
public struct UserResponse: Codable, Sendable, Equatable {
    public var uid: String
    public var email: String
    public var firstName: String
    public var lastName: String
    @NullEncoded public var phoneNumber: String?
    public var status: String
    public var emailVerified: Bool
    public var profileCompleted: Bool
    public var timezone: String
    public var language: String
    public var loginCount: Int
    @NullEncoded public var lastLoginAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var roles: [String]

    enum CodingKeys: String, CodingKey {
        case uid, email, status, timezone, language, roles
        case firstName = "first_name", lastName = "last_name", phoneNumber = "phone_number"
        case emailVerified = "email_verified", profileCompleted = "profile_completed"
        case loginCount = "login_count", lastLoginAt = "last_login_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        uid: String, email: String, firstName: String, lastName: String, phoneNumber: String?, status: String,
        emailVerified: Bool, profileCompleted: Bool, timezone: String, language: String, loginCount: Int,
        lastLoginAt: Date?, createdAt: Date, updatedAt: Date, roles: [String]
    ) {
        self.uid = uid
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.status = status
        self.emailVerified = emailVerified
        self.profileCompleted = profileCompleted
        self.timezone = timezone
        self.language = language
        self.loginCount = loginCount
        self.lastLoginAt = lastLoginAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.roles = roles
    }

}

/// The tokens a login, registration or refresh hands out.
public struct TokenResponse: Codable, Sendable, Equatable {
    /// A signed JWT (ES256) for `Authorization: Bearer`.
    public var idToken: String
    public var tokenType: String
    /// Seconds until `id_token` expires.
    public var expiresIn: Int
    /// Exchanged at `POST /api/v1/auth/refresh` for new tokens; works once.
    public var refreshToken: String

    enum CodingKeys: String, CodingKey {
        case idToken = "id_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token"
    }

    public init(idToken: String, expiresIn: Int, refreshToken: String) {
        self.idToken = idToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
    }
}

/// `{user, token}`: the answer to register and login.
public struct AuthResponse: Codable, Sendable {
    public var user: UserResponse
    public var token: TokenResponse

    public init(user: UserResponse, token: TokenResponse) {
        self.user = user
        self.token = token
    }
}

/// `{token}`: the answer to refresh.
public struct RefreshResponse: Codable, Sendable {
    public var token: TokenResponse

    public init(token: TokenResponse) {
        self.token = token
    }
}

/// One of the caller's sessions.
public struct SessionResponse: Codable, Sendable, Equatable {
    public var sessionToken: String
    public var deviceType: String
    public var browser: String
    public var os: String
    public var ipAddress: String?
    public var isActive: Bool
    public var lastActivityAt: Date
    public var createdAt: Date
    public var expiresAt: Date
    /// Whether this is the session of the token making the request.
    public var current: Bool

    enum CodingKeys: String, CodingKey {
        case browser, os, current
        case sessionToken = "session_token", deviceType = "device_type", ipAddress = "ip_address"
        case isActive = "is_active", lastActivityAt = "last_activity_at", createdAt = "created_at", expiresAt = "expires_at"
    }

    public init(
        sessionToken: String, deviceType: String, browser: String, os: String, ipAddress: String?, isActive: Bool,
        lastActivityAt: Date, createdAt: Date, expiresAt: Date, current: Bool
    ) {
        self.sessionToken = sessionToken
        self.deviceType = deviceType
        self.browser = browser
        self.os = os
        self.ipAddress = ipAddress
        self.isActive = isActive
        self.lastActivityAt = lastActivityAt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.current = current
    }
}

/// `{"data": [...]}` without paging, for short lists such as sessions.
public struct ListResponse<Item: Codable & Sendable>: Codable, Sendable {
    public var data: [Item]

    public init(data: [Item]) {
        self.data = data
    }
}
