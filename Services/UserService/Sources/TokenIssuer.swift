import Authentication
import Contracts
import Crypto
import Foundation
import JWTKit
import Primitives

/// Issues the stack's ID tokens (ES256 JWTs) and refresh tokens.
struct TokenIssuer: Sendable {
    let keys: JWTKeyCollection
    let kid: String
    let issuer: String
    let audience: String
    /// `JWT_TTL_SECONDS`, default 900 (15 minutes).
    let lifetime: Int

    init(signingKey: SigningKey, configuration: TokenVerifierConfiguration, lifetime: Int) async {
        self.keys = await JWTKeyCollection().add(ecdsa: signingKey.privateKey, kid: JWKIdentifier(string: signingKey.kid))
        self.kid = signingKey.kid
        self.issuer = configuration.issuer
        self.audience = configuration.audience
        self.lifetime = lifetime
    }

    /// An ID token for a session plus the refresh token that renews it.
    func tokens(uid: String, roles: [String], sessionID: String, authTime: Date, refreshSecret: String) async throws
        -> TokenResponse
    {
        let idToken = try await sign(
            subject: uid, lifetime: lifetime, authTime: authTime, sessionID: sessionID, roles: roles, permissions: nil)
        return TokenResponse(idToken: idToken, expiresIn: lifetime, refreshToken: "\(sessionID).\(refreshSecret)")
    }

    /// How long a token for an API key lasts. The gateway asks again every few seconds (it
    /// keeps a key's answer for 4 s), so this only bounds a token that leaked from there.
    static let keyTokenLifetime = 300

    /// A token that acts for an API key (subject `apikey:<id>`, no roles, the key's
    /// permissions), handed to the gateway only, which sends it on to the services.
    func keyToken(id: String, permissions: [String]) async throws -> String {
        try await sign(
            subject: "apikey:\(id)", lifetime: Self.keyTokenLifetime, authTime: nil, sessionID: nil, roles: [],
            permissions: permissions)
    }

    /// A signed token issued now (whole seconds) for `lifetime` seconds; `authTime` defaults to now.
    private func sign(
        subject: String, lifetime: Int, authTime: Date?, sessionID: String?, roles: [String], permissions: [String]?
    ) async throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = AccessTokenClaims(
            subject: subject, issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)),
            authTime: authTime ?? now, sessionID: sessionID, roles: roles, permissions: permissions, issuer: issuer,
            audience: audience)
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}
