/// Why a token was refused. Every case answers 401 `unauthorized`; the case is for logs and tests.
public enum AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed
    case algorithmNotAllowed(String)
    /// The header's `crit` names extensions that must be understood; none are (RFC 7515 §4.1.11).
    case unsupportedCriticalHeader
    case unknownKey
    case invalidSignatureOrClaims
    case expired
    case notYetValid
    case wrongIssuer
    case wrongAudience
    case invalidSubject
    case issuedInTheFuture
    case keysUnavailable

    public var description: String {
        switch self {
        case .malformed: "the token is not a JWT"
        case .algorithmNotAllowed(let alg): "the algorithm \(alg) is not accepted"
        case .unsupportedCriticalHeader: "the token names critical header extensions this service does not understand"
        case .unknownKey: "the token's key is unknown"
        case .invalidSignatureOrClaims: "the token's signature or claims are invalid"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet"
        case .wrongIssuer: "the token's issuer is not accepted"
        case .wrongAudience: "the token is for another audience"
        case .invalidSubject: "the token's subject is invalid"
        case .issuedInTheFuture: "the token claims to be issued in the future"
        case .keysUnavailable: "the signing keys could not be fetched"
        }
    }
}
