import Contracts
import DocumentStore
import Foundation

/// A `user_sessions` document, keyed by `session_token`. The refresh token is a separate
/// secret; only its SHA-256 is stored, with those of the tokens it replaced so that a reused
/// old one can be recognised (and the session revoked).
struct SessionRecord: Sendable {
    var sessionToken: String
    var userUID: String
    var deviceType: String
    var browser: String
    var os: String
    var ipAddress: String?
    var locationCountry: String?
    var locationCity: String?
    var isActive: Bool
    var lastActivityAt: Date
    var createdAt: Date
    var expiresAt: Date
    var authTime: Date
    var refreshTokenHash: String
    var previousRefreshTokenHashes: [String]

    static let collection = "user_sessions"
    /// How many replaced refresh tokens are remembered for reuse detection.
    static let rememberedRefreshTokens = 20

    init(userUID: String, userAgent: String?, ipAddress: String?, refreshTokenHash: String, lifetime: TimeInterval, now: Date) {
        let agent = UserAgent(userAgent)
        sessionToken = UUID().uuidString.lowercased()
        self.userUID = userUID
        deviceType = agent.deviceType
        browser = agent.browser
        os = agent.os
        self.ipAddress = ipAddress
        locationCountry = nil
        locationCity = nil
        isActive = true
        lastActivityAt = now
        createdAt = now
        expiresAt = now.addingTimeInterval(lifetime)
        authTime = now
        self.refreshTokenHash = refreshTokenHash
        previousRefreshTokenHashes = []
    }

    init(_ snapshot: DocumentSnapshot) throws {
        let data = snapshot.data
        guard let userUID = data["user_uid"]?.stringValue, let refreshTokenHash = data["refresh_token_hash"]?.stringValue
        else { throw DocumentStoreError.invalidData("session \(snapshot.id) is incomplete") }
        sessionToken = snapshot.id
        self.userUID = userUID
        deviceType = data["device_type"]?.stringValue ?? "unknown"
        browser = data["browser"]?.stringValue ?? "unknown"
        os = data["os"]?.stringValue ?? "unknown"
        ipAddress = data["ip_address"]?.stringValue
        locationCountry = data["location_country"]?.stringValue
        locationCity = data["location_city"]?.stringValue
        isActive = data["is_active"]?.boolValue ?? false
        lastActivityAt = data["last_activity_at"]?.timestampValue ?? snapshot.updateTime
        createdAt = data["created_at"]?.timestampValue ?? snapshot.createTime
        expiresAt = data["expires_at"]?.timestampValue ?? snapshot.createTime
        authTime = data["auth_time"]?.timestampValue ?? createdAt
        self.refreshTokenHash = refreshTokenHash
        previousRefreshTokenHashes = data["previous_refresh_token_hashes"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    var document: DocumentData {
        [
            "user_uid": .string(userUID), "device_type": .string(deviceType), "browser": .string(browser),
            "os": .string(os), "ip_address": .optional(ipAddress), "location_country": .optional(locationCountry),
            "location_city": .optional(locationCity), "is_active": .bool(isActive),
            "last_activity_at": .timestamp(lastActivityAt), "created_at": .timestamp(createdAt),
            "expires_at": .timestamp(expiresAt), "auth_time": .timestamp(authTime),
            "refresh_token_hash": .string(refreshTokenHash),
            "previous_refresh_token_hashes": .array(previousRefreshTokenHashes.map(DocumentValue.string)),
        ]
    }

    func isUsable(now: Date) -> Bool { isActive && expiresAt > now }

    func response(current: String?) -> SessionResponse {
        SessionResponse(
            sessionToken: sessionToken, deviceType: deviceType, browser: browser, os: os, ipAddress: ipAddress,
            isActive: isActive, lastActivityAt: lastActivityAt, createdAt: createdAt, expiresAt: expiresAt,
            current: sessionToken == current)
    }
}
