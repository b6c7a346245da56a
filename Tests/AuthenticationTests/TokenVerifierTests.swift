// Over 250 lines: one suite of every way a token is refused, each case a few lines.
import Authentication
import Contracts
import Foundation
import HTTPClient
import Hummingbird
import JWTKit
import Primitives
import Synchronization
import TestSupport
import Testing

/// A JWKS endpoint the test controls: what it serves can change (key rotation) and it counts fetches.
final class KeyServer: Sendable {
    private let jwks = Mutex("{\"keys\":[]}")
    private let fetches = Mutex(0)

    func serve(_ json: String) { jwks.withLock { $0 = json } }
    var fetchCount: Int { fetches.withLock { $0 } }

    func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        router.get("/jwks.json") { [self] _, _ in
            fetches.withLock { $0 += 1 }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: jwks.withLock { $0 })))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           logger: TestEnvironment.logger("jwks"))
    }
}

/// An ES256 key with its JWKS entry, as the User service publishes it.
struct TestES256Key {
    let key = ES256PrivateKey()
    let kid: String

    init(kid: String) { self.kid = kid }

    var jwk: String {
        let (x, y) = key.parameters!
        return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(x)","y":"\#(y)"}"#
    }

    func sign(_ claims: some JWTPayload, header: JWTHeader = JWTHeader()) async throws -> String {
        let keys = await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid), header: header)
    }
}

func claims(
    issuer: String = TokenVerifierConfiguration.defaultIssuer, audience: String = TokenVerifierConfiguration.defaultAudience,
    expiresIn: TimeInterval = 600, subject: String = "uid-1"
) -> AccessTokenClaims {
    AccessTokenClaims(
        subject: subject, issuedAt: Date(), expiresAt: Date().addingTimeInterval(expiresIn), authTime: Date(),
        sessionID: "session-1", roles: ["customer"], issuer: issuer, audience: audience)
}

func base64URL(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }

@Suite("Bearer token verification")
struct TokenVerifierTests {
    let key = TestES256Key(kid: "key-1")

    /// A verifier reading the keys from a live JWKS endpoint, and the endpoint.
    private func withVerifier(
        firebaseProject: String? = nil, _ body: @escaping @Sendable (TokenVerifier, KeyServer, String) async throws -> Void
    ) async throws {
        let server = KeyServer()
        server.serve(#"{"keys":[\#(key.jwk)]}"#)
        try await server.makeApplication().withLiveServer { baseURL in
            let configuration = TokenVerifierConfiguration(
                jwksURL: "\(baseURL)/jwks.json", firebaseProjectID: firebaseProject, firebaseJWKSURL: "\(baseURL)/jwks.json")
            let verifier = TokenVerifier(configuration: configuration, client: CurlHTTPClient(), logger: TestEnvironment.logger("verifier"))
            try await body(verifier, server, baseURL)
        }
    }

    @Test func aValidTokenGivesItsUserRolesAndSession() async throws {
        try await withVerifier { verifier, _, _ in
            let principal = try await verifier.verify(try await key.sign(claims()))
            #expect(principal.uid == "uid-1")
            #expect(principal.roles == ["customer"])
            #expect(principal.sessionID == "session-1")
        }
    }

    @Test func aTokenForAnAPIKeyCarriesItsPermissionsAndAUserTokenNone() async throws {
        try await withVerifier { verifier, _, _ in
            var keyClaims = claims(subject: "apikey:k-1")
            keyClaims.roles = []
            keyClaims.sid = nil
            keyClaims.permissions = ["products:write"]
            let apiKey = try await verifier.verify(try await key.sign(keyClaims))
            #expect(apiKey.uid == "apikey:k-1")
            #expect(apiKey.isAPIKey)
            #expect(apiKey.may(.productsWrite))
            #expect(!apiKey.may(.ordersRead))
            #expect(!apiKey.isAdmin)
            let user = try await verifier.verify(try await key.sign(claims()))
            #expect(!user.isAPIKey)
            #expect(!user.may(.productsWrite))
        }
    }

    @Test func aTokenSeenAgainGivesTheSamePrincipalAndATamperedCopyIsStillChecked() async throws {
        try await withVerifier { verifier, _, _ in
            let token = try await key.sign(claims())
            let first = try await verifier.verify(token)
            #expect(try await verifier.verify(token) == first)
            // Only the exact text of a checked token is remembered.
            let tampered = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
            await #expect(throws: AuthenticationError.self) { try await verifier.verify(tampered) }
        }
    }

    @Test func algNoneIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            let payload = String(decoding: try JSONEncoder().encode(claims()), as: UTF8.self)
            let token = base64URL(#"{"alg":"none","typ":"JWT","kid":"key-1"}"#) + "." + base64URL(payload) + "."
            await #expect(throws: AuthenticationError.algorithmNotAllowed("none")) { try await verifier.verify(token) }
        }
    }

    @Test func aTokenNamingACriticalExtensionIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            var header = JWTHeader()
            header.crit = ["exp-ext"]
            header[dynamicMember: "exp-ext"] = .string("2030")
            // Correctly signed with the right key: only the critical extension is wrong.
            let token = try await key.sign(claims(), header: header)
            await #expect(throws: AuthenticationError.unsupportedCriticalHeader) { try await verifier.verify(token) }
            let empty = try await key.sign(claims(), header: { var h = JWTHeader(); h.crit = []; return h }())
            await #expect(throws: AuthenticationError.unsupportedCriticalHeader) { try await verifier.verify(empty) }
        }
    }

    @Test func algorithmConfusionWithThePublicKeyAsHMACSecretIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            let publicPEM = key.key.publicKey.pemRepresentation
            let keys = await JWTKeyCollection().add(hmac: HMACKey(from: publicPEM), digestAlgorithm: .sha256, kid: "key-1")
            let token = try await keys.sign(claims(), kid: "key-1")
            await #expect(throws: AuthenticationError.algorithmNotAllowed("HS256")) { try await verifier.verify(token) }
        }
    }

    @Test func wrongIssuerIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            await #expect(throws: AuthenticationError.wrongIssuer) { try await verifier.verify(try await key.sign(claims(issuer: "someone-else"))) }
        }
    }

    @Test func wrongAudienceIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            await #expect(throws: AuthenticationError.wrongAudience) { try await verifier.verify(try await key.sign(claims(audience: "other-app"))) }
        }
    }

    @Test func anExpiredTokenIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            await #expect(throws: AuthenticationError.expired) { try await verifier.verify(try await key.sign(claims(expiresIn: -5))) }
        }
    }

    @Test func aTokenNotYetValidIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            var future = claims()
            future.nbf = NotBeforeClaim(value: Date().addingTimeInterval(600))
            await #expect(throws: AuthenticationError.notYetValid) { try await verifier.verify(try await key.sign(future)) }
        }
    }

    @Test func aForgedSignatureIsRefused() async throws {
        try await withVerifier { verifier, _, _ in
            let impostor = TestES256Key(kid: "key-1")  // same kid, different key
            await #expect(throws: AuthenticationError.invalidSignatureOrClaims) { try await verifier.verify(try await impostor.sign(claims())) }
            await #expect(throws: AuthenticationError.malformed) { try await verifier.verify("only.two") }
        }
    }

    @Test func rotatedKeysAreFetchedAndUnknownKeysRefusedWithoutAFetchStorm() async throws {
        try await withVerifier { verifier, server, _ in
            _ = try await verifier.verify(try await key.sign(claims()))
            let rotated = TestES256Key(kid: "key-2")
            server.serve(#"{"keys":[\#(key.jwk),\#(rotated.jwk)]}"#)
            #expect(try await verifier.verify(try await rotated.sign(claims(subject: "uid-2"))).uid == "uid-2")
            let fetchesAfterRotation = server.fetchCount

            let stranger = TestES256Key(kid: "key-9")
            for _ in 0..<5 {
                await #expect(throws: AuthenticationError.unknownKey) { try await verifier.verify(try await stranger.sign(claims())) }
            }
            #expect(server.fetchCount <= fetchesAfterRotation + 1)
        }
    }
}

@Suite("Firebase ID tokens")
struct FirebaseTokenTests {
    let project = TestFirebase.project
    let firebase: TestFirebase

    init() throws { firebase = try TestFirebase() }

    private func sign(_ claims: FirebaseTokenClaims) async throws -> String { try await firebase.sign(claims) }

    private func firebaseClaims(
        subject: String = "firebase-uid", audience: String? = nil, issuedAt: Date = Date().addingTimeInterval(-10)
    ) -> FirebaseTokenClaims {
        FirebaseTokenClaims(
            subject: subject, issuedAt: issuedAt, expiresAt: Date().addingTimeInterval(3600), authTime: issuedAt,
            issuer: TestFirebase.issuer, audience: audience ?? project, email: "ada@example.com", emailVerified: true, name: "Ada Lovelace")
    }

    private func withVerifier(_ body: @escaping @Sendable (TokenVerifier) async throws -> Void) async throws {
        let server = KeyServer()
        server.serve(try firebase.jwks)
        try await server.makeApplication().withLiveServer { [project] baseURL in
            let configuration = TokenVerifierConfiguration(
                jwksURL: "\(baseURL)/unused", firebaseProjectID: project, firebaseJWKSURL: "\(baseURL)/jwks.json")
            try await body(TokenVerifier(configuration: configuration, client: CurlHTTPClient(), logger: TestEnvironment.logger("firebase")))
        }
    }

    @Test func aFirebaseTokenOfTheProjectIsAccepted() async throws {
        let token = try await sign(firebaseClaims())
        try await withVerifier { verifier in
            let principal = try await verifier.verify(token)
            #expect(principal.uid == "firebase-uid")
            #expect(principal.roles == ["customer"])
            // What the User service makes the profile from on first use.
            #expect(principal.externalIdentity == ExternalIdentity(email: "ada@example.com", emailVerified: true, name: "Ada Lovelace"))
        }
    }

    @Test func anotherProjectsTokenIsRefused() async throws {
        let token = try await sign(firebaseClaims(audience: "other-project"))
        try await withVerifier { verifier in
            await #expect(throws: AuthenticationError.wrongAudience) { try await verifier.verify(token) }
        }
    }

    @Test func aTokenIssuedInTheFutureIsRefused() async throws {
        let token = try await sign(firebaseClaims(issuedAt: Date().addingTimeInterval(600)))
        try await withVerifier { verifier in
            await #expect(throws: AuthenticationError.issuedInTheFuture) { try await verifier.verify(token) }
        }
    }

    @Test func anOverlongSubjectIsRefused() async throws {
        let token = try await sign(firebaseClaims(subject: String(repeating: "x", count: 129)))
        try await withVerifier { verifier in
            await #expect(throws: AuthenticationError.invalidSubject) { try await verifier.verify(token) }
        }
    }

    @Test func aFirebaseIssuerWithAnotherAlgorithmIsRefused() async throws {
        let es256 = TestES256Key(kid: TestFirebase.keyID)
        let token = try await es256.sign(firebaseClaims())
        try await withVerifier { verifier in
            await #expect(throws: AuthenticationError.algorithmNotAllowed("ES256")) { try await verifier.verify(token) }
        }
    }
}
