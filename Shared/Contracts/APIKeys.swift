import Foundation

/// An API key as stored and listed: never the key itself, except once in `key` at creation.
public struct APIKeyResponse: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Only in the creation response.
    public var key: String?
    /// The key's first characters, to recognise it in a list.
    public var keyPrefix: String
    public var permissions: [String]
    /// Requests per minute.
    public var rateLimit: Int
    public var createdAt: Date
    @NullEncoded public var expiresAt: Date?
    public var isActive: Bool
    @NullEncoded public var lastUsed: Date?
    public var usageCount: Int

    enum CodingKeys: String, CodingKey {
        case id, name, key, permissions
        case keyPrefix = "key_prefix", rateLimit = "rate_limit", createdAt = "created_at", expiresAt = "expires_at"
        case isActive = "is_active", lastUsed = "last_used", usageCount = "usage_count"
    }

    public init(
        id: String, name: String, key: String?, keyPrefix: String, permissions: [String], rateLimit: Int,
        createdAt: Date, expiresAt: Date?, isActive: Bool, lastUsed: Date?, usageCount: Int
    ) {
        self.id = id
        self.name = name
        self.key = key
        self.keyPrefix = keyPrefix
        self.permissions = permissions
        self.rateLimit = rateLimit
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.isActive = isActive
        self.lastUsed = lastUsed
        self.usageCount = usageCount
    }
}

/// What an API key may be given (CONTRACT "Auth"): what a request with the key may do.
public enum Permission: String, CaseIterable, Sendable {
    case productsRead = "products:read"
    case productsWrite = "products:write"
    case ordersRead = "orders:read"
    case analyticsWrite = "analytics:write"
}

/// What `POST /internal/api-keys/resolve` answers for a valid key (for the gateway).
public struct ResolvedAPIKey: Codable, Sendable, Equatable {
    public var id: String
    public var permissions: [String]
    public var rateLimit: Int
    /// A short-lived bearer token acting for the key with its permissions (subject
    /// `apikey:<id>`): the gateway sends it to the services in place of the client's credentials.
    public var token: String

    enum CodingKeys: String, CodingKey {
        case id, permissions, token
        case rateLimit = "rate_limit"
    }

    public init(id: String, permissions: [String], rateLimit: Int, token: String) {
        self.id = id
        self.permissions = permissions
        self.rateLimit = rateLimit
        self.token = token
    }

    /// The permissions a key can carry.
    public static let knownPermissions = Set(Permission.allCases.map(\.rawValue))
}
