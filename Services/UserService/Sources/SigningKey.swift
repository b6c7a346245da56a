import Crypto
import Foundation
import JWTKit
import Logging
import Primitives

/// The ES256 key the User service signs ID tokens with, and its public half as a JWKS.
///
/// Taken from `JWT_PRIVATE_KEY_PEM`, else from the file `JWT_PRIVATE_KEY_FILE` (default
/// `$STACK_DIR/secrets/jwt-es256.pem`), which is generated once when missing so tokens stay
/// valid across restarts. Without either (tests), a key lives in memory only.
struct SigningKey: Sendable {
    let privateKey: ES256PrivateKey
    /// RFC 7638 thumbprint of the public key.
    let kid: String
    /// `{"keys": [...]}` with the public key.
    let jwksJSON: String

    init(privateKey: ES256PrivateKey) throws {
        self.privateKey = privateKey
        guard let (x, y) = privateKey.parameters else { throw ConfigurationError(variable: "JWT_PRIVATE_KEY_PEM", reason: "holds a key without public parameters") }
        let thumbprintInput = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        let digest = SHA256.hash(data: Data(thumbprintInput.utf8))
        self.kid = Base64URL.encode(Array(digest))
        self.jwksJSON = #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(x)","y":"\#(y)"}]}"#
    }

    static func load(environment: [String: String], logger: Logger) throws -> SigningKey {
        if let pem = environment["JWT_PRIVATE_KEY_PEM"], !pem.isEmpty {
            return try SigningKey(privateKey: ES256PrivateKey(pem: pem))
        }
        let path = environment["JWT_PRIVATE_KEY_FILE"] ?? environment["STACK_DIR"].map { "\($0)/secrets/jwt-es256.pem" }
        guard let path else {
            logger.warning("no JWT key configured: using a key that lives only as long as this process")
            return try SigningKey(privateKey: ES256PrivateKey())
        }
        if let pem = try? String(contentsOfFile: path, encoding: .utf8) {
            return try SigningKey(privateKey: ES256PrivateKey(pem: pem))
        }
        let key = ES256PrivateKey()
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(
            atPath: path, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else { throw ConfigurationError(variable: "JWT_PRIVATE_KEY_FILE", reason: "cannot be written: \(path)") }
        logger.info("generated a JWT signing key", metadata: ["path": "\(path)"])
        return try SigningKey(privateKey: key)
    }
}

