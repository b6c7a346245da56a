import Contracts
import Crypto
import Foundation
import Primitives

/// Random identifiers and secrets, and the hashes stored in their place.
enum Secrets {
    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A Firebase-style uid: 28 letters and digits.
    static func uid() -> String { randomAlphanumeric(28) }

    static func randomAlphanumeric(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphanumerics.randomElement(using: &generator)! })
    }

    /// 32 random bytes, base64url.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Base64URL.encode(bytes)
    }

    /// SHA-256, hex: enough for high-entropy secrets (refresh tokens, API keys), unlike passwords.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexEncoded
    }
}
