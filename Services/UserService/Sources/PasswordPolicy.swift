/// What a new password must be. bcrypt reads a password as a C string of at most 72 bytes:
/// it would stop at a NUL (`ab\u{0}cdefghijkl` would be the password `ab`) and ignore
/// everything past the 72nd byte, so both are refused rather than silently shortened.
enum PasswordPolicy {
    /// At least this many characters (code points), as the contract says.
    static let minimumCharacters = 8
    /// At most this many bytes of UTF-8: all that bcrypt reads.
    static let maximumBytes = 72

    /// Why `password` cannot be used, or `nil` when it can.
    static func problem(_ password: String) -> String? {
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        if password.unicodeScalars.count < minimumCharacters || password.utf8.count > maximumBytes {
            return "must be at least \(minimumCharacters) characters and at most \(maximumBytes) bytes of UTF-8"
        }
        return nil
    }

    /// Whether a login's password could be a stored one: a password no rule allows never
    /// reaches bcrypt, whose silent truncation would otherwise make it match.
    static func couldMatch(_ password: String) -> Bool {
        password.unicodeScalars.count >= minimumCharacters
            && !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }
}
