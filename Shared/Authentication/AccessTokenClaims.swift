import Foundation
import JWTKit

/// The claims of the stack's own ID tokens (issued by the User service, ES256).
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    /// When the user last authenticated with a password.
    public var authTime: Date
    /// The `user_sessions` document the token belongs to.
    public var sid: String?
    public var roles: [String]
    /// Only in a token the User service issues for an API key (to the gateway): the key's
    /// permissions. A user's token has none.
    public var permissions: [String]?
    public var iss: IssuerClaim
    public var aud: AudienceClaim

    enum CodingKeys: String, CodingKey {
        case sub, iat, exp, nbf, sid, roles, permissions, iss, aud
        case authTime = "auth_time"
    }

    public init(
        subject: String, issuedAt: Date, expiresAt: Date, authTime: Date, sessionID: String?, roles: [String],
        permissions: [String]? = nil, issuer: String, audience: String
    ) {
        self.sub = SubjectClaim(value: subject)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: expiresAt)
        self.nbf = nil
        self.authTime = authTime
        self.sid = sessionID
        self.roles = roles
        self.permissions = permissions
        self.iss = IssuerClaim(value: issuer)
        self.aud = AudienceClaim(value: [audience])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sub, forKey: .sub)
        try container.encode(iat, forKey: .iat)
        try container.encode(exp, forKey: .exp)
        try container.encodeIfPresent(nbf, forKey: .nbf)
        try container.encode(Int(authTime.timeIntervalSince1970), forKey: .authTime)
        try container.encodeIfPresent(sid, forKey: .sid)
        try container.encode(roles, forKey: .roles)
        try container.encodeIfPresent(permissions, forKey: .permissions)
        try container.encode(iss, forKey: .iss)
        try container.encode(aud, forKey: .aud)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sub = try container.decode(SubjectClaim.self, forKey: .sub)
        iat = try container.decode(IssuedAtClaim.self, forKey: .iat)
        exp = try container.decode(ExpirationClaim.self, forKey: .exp)
        nbf = try container.decodeIfPresent(NotBeforeClaim.self, forKey: .nbf)
        authTime = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .authTime))
        sid = try container.decodeIfPresent(String.self, forKey: .sid)
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? []
        permissions = try container.decodeIfPresent([String].self, forKey: .permissions)
        iss = try container.decode(IssuerClaim.self, forKey: .iss)
        aud = try container.decode(AudienceClaim.self, forKey: .aud)
    }

    /// Signature checks are jwt-kit's; this checks the times.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
    }
}

/// The claims of a Firebase Authentication ID token (RS256, issued by Google).
public struct FirebaseTokenClaims: JWTPayload {
    public var sub: SubjectClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var authTime: Double
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    /// Custom claim carrying the stack's roles, when the project sets it.
    public var roles: [String]?
    /// The user's email and display name, when the sign-in method gives them.
    public var email: String?
    public var emailVerified: Bool?
    public var name: String?

    enum CodingKeys: String, CodingKey {
        case sub, iat, exp, iss, aud, roles, email, name
        case authTime = "auth_time", emailVerified = "email_verified"
    }

    public init(
        subject: String, issuedAt: Date, expiresAt: Date, authTime: Date, issuer: String, audience: String, email: String? = nil,
        emailVerified: Bool? = nil, name: String? = nil
    ) {
        sub = SubjectClaim(value: subject)
        iat = IssuedAtClaim(value: issuedAt)
        exp = ExpirationClaim(value: expiresAt)
        self.authTime = authTime.timeIntervalSince1970
        iss = IssuerClaim(value: issuer)
        aud = AudienceClaim(value: [audience])
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
