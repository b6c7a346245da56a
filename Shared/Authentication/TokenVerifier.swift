import Contracts
import Foundation
import HTTPClient
import JWTKit
import Logging
import Primitives
import ServiceKit

/// Verifies bearer tokens: the stack's own ES256 ID tokens, and Firebase Authentication ID
/// tokens (RS256) when a Firebase project is configured.
///
/// The algorithm is checked against the token's kind before any key is looked up, so
/// `alg: none` and algorithm confusion (an HS256 token keyed with a public key) never reach
/// a signature check. Issuer, audience, expiry and not-before are checked after it. A token
/// whose header has `crit` is refused: this verifier understands no extension, and RFC 7515
/// says a token naming one it does not understand is invalid.
public struct TokenVerifier: Sendable {
    private let configuration: TokenVerifierConfiguration
    private let ownKeys: KeySource
    private let firebaseKeys: JWKSCache?
    private let recentlyVerified = VerifiedTokenCache()

    enum KeySource: Sendable {
        /// The User service verifies with the keys it signs with.
        case local(JWTKeyCollection)
        case remote(JWKSCache)
    }

    /// A verifier fetching the stack's public keys from the User service's JWKS.
    public init(configuration: TokenVerifierConfiguration, client: CurlHTTPClient, logger: Logger) {
        self.configuration = configuration
        self.ownKeys = .remote(JWKSCache(url: configuration.jwksURL, client: client, logger: logger))
        self.firebaseKeys = configuration.firebaseProjectID.map { _ in
            JWKSCache(url: configuration.firebaseJWKSURL, client: client, logger: logger)
        }
    }

    /// A verifier using keys held in memory (the User service's own signing keys).
    public init(configuration: TokenVerifierConfiguration, localKeys: JWTKeyCollection, client: CurlHTTPClient? = nil,
                logger: Logger) {
        self.configuration = configuration
        self.ownKeys = .local(localKeys)
        self.firebaseKeys = configuration.firebaseProjectID.flatMap { _ in
            client.map { JWKSCache(url: configuration.firebaseJWKSURL, client: $0, logger: logger) }
        }
    }

    public func verify(_ token: String) async throws -> Principal {
        if let principal = recentlyVerified.principal(for: token) { return principal }
        let (header, payload) = try Self.unverifiedParts(token)
        guard header["crit"] == nil else { throw AuthenticationError.unsupportedCriticalHeader }
        let alg = header["alg"] as? String ?? ""
        let kid = header["kid"] as? String
        if let firebaseIssuer = configuration.firebaseIssuer, let firebaseKeys, payload["iss"] as? String == firebaseIssuer {
            guard alg == "RS256" else { throw AuthenticationError.algorithmNotAllowed(alg) }
            guard kid != nil else { throw AuthenticationError.unknownKey }
            return try await verifyFirebase(token, keys: try await firebaseKeys.keys(for: kid), issuer: firebaseIssuer)
        }
        guard alg == "ES256" else { throw AuthenticationError.algorithmNotAllowed(alg) }
        let keys: JWTKeyCollection
        switch ownKeys {
        case .local(let collection): keys = collection
        case .remote(let cache): keys = try await cache.keys(for: kid)
        }
        let claims = try await Self.verified(token, with: keys, as: AccessTokenClaims.self)
        guard claims.iss.value == configuration.issuer else { throw AuthenticationError.wrongIssuer }
        guard claims.aud.value.contains(configuration.audience) else { throw AuthenticationError.wrongAudience }
        guard !claims.sub.value.isEmpty else { throw AuthenticationError.invalidSubject }
        let principal = Principal(
            uid: claims.sub.value, roles: claims.roles, sessionID: claims.sid, keyPermissions: claims.permissions)
        recentlyVerified.store(principal, for: token, expiresAt: claims.exp.value)
        return principal
    }

    private func verifyFirebase(_ token: String, keys: JWTKeyCollection, issuer: String) async throws -> Principal {
        let claims = try await Self.verified(token, with: keys, as: FirebaseTokenClaims.self)
        let now = Date().addingTimeInterval(60)  // tolerate a minute of clock skew
        guard claims.iss.value == issuer else { throw AuthenticationError.wrongIssuer }
        guard claims.aud.value == [configuration.firebaseProjectID!] else { throw AuthenticationError.wrongAudience }
        guard !claims.sub.value.isEmpty, claims.sub.value.count <= 128 else { throw AuthenticationError.invalidSubject }
        guard claims.iat.value <= now, Date(timeIntervalSince1970: claims.authTime) <= now else {
            throw AuthenticationError.issuedInTheFuture
        }
        return Principal(
            uid: claims.sub.value, roles: claims.roles ?? ["customer"],
            externalIdentity: ExternalIdentity(email: claims.email, emailVerified: claims.emailVerified ?? false, name: claims.name))
    }

    /// The header and payload as JSON objects, before any check.
    static func unverifiedParts(_ token: String) throws -> ([String: Any], [String: Any]) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = decodeSegment(parts[0]), let payload = decodeSegment(parts[1]) else {
            throw AuthenticationError.malformed
        }
        return (header, payload)
    }

    private static func decodeSegment(_ segment: Substring) -> [String: Any]? {
        guard let data = Base64URL.decode(segment) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The signature checked and the claims decoded and time-checked by jwt-kit.
    private static func verified<Claims: JWTPayload>(_ token: String, with keys: JWTKeyCollection, as: Claims.Type)
        async throws -> Claims
    {
        do {
            return try await keys.verify(token, as: Claims.self)
        } catch let error as JWTError {
            throw classify(error)
        } catch {
            throw AuthenticationError.invalidSignatureOrClaims
        }
    }

    private static func classify(_ error: JWTError) -> AuthenticationError {
        switch error.errorType {
        case .claimVerificationFailure:
            if error.failedClaim is ExpirationClaim { return .expired }
            if error.failedClaim is NotBeforeClaim { return .notYetValid }
            return .invalidSignatureOrClaims
        case .unknownKID: return .unknownKey
        default: return .invalidSignatureOrClaims
        }
    }
}
