import Authentication
import CryptoExtras
import Foundation
import Hummingbird
import JWTKit
import NIOCore
import Primitives

/// A stand-in for Firebase Authentication in tests: an RSA key, its JWKS served on a real
/// socket, and ID tokens signed with it as Firebase signs them (RS256, issuer
/// `https://securetoken.google.com/<project>`, audience the project).
public struct TestFirebase: Sendable {
    public static let project = "demo-shop"
    public static let issuer = "https://securetoken.google.com/\(project)"
    /// The `kid` of the key.
    public static let keyID = "firebase-test"
    let key: JWTKit.Insecure.RSA.PrivateKey

    public init() throws {
        key = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// The variables that make a service accept these tokens.
    public func environment(jwksURL: String) -> [String: String] {
        ["FIREBASE_PROJECT_ID": Self.project, "FIREBASE_JWKS_URL": jwksURL]
    }

    /// Serves the JWKS (`<base>/jwks.json`) for the duration of `body`.
    public func withKeyServer<Value: Sendable>(_ body: @Sendable @escaping (_ jwksURL: String) async throws -> Value) async throws -> Value {
        let jwks = try self.jwks
        let router = Router()
        router.get("/jwks.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: TestEnvironment.logger("firebase"))
        return try await app.withLiveServer { baseURL in try await body("\(baseURL)/jwks.json") }
    }

    /// The public key as Google serves it.
    public var jwks: String {
        get throws {
            let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
            let n = Base64URL.encode(modulus), e = Base64URL.encode(exponent)
            return #"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"\#(Self.keyID)","n":"\#(n)","e":"\#(e)"}]}"#
        }
    }

    /// `claims` signed as Firebase signs an ID token (RS256, this key's `kid`).
    public func sign(_ claims: FirebaseTokenClaims) async throws -> String {
        let keys = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: Self.keyID))
        return try await keys.sign(claims, kid: JWKIdentifier(string: Self.keyID))
    }

    /// An ID token for the user `uid`.
    public func idToken(uid: String, email: String?, emailVerified: Bool = true, name: String? = nil) async throws -> String {
        let now = Date()
        let claims = FirebaseTokenClaims(
            subject: uid, issuedAt: now.addingTimeInterval(-5), expiresAt: now.addingTimeInterval(3600), authTime: now.addingTimeInterval(-5),
            issuer: Self.issuer, audience: Self.project, email: email, emailVerified: emailVerified, name: name)
        return try await sign(claims)
    }
}
