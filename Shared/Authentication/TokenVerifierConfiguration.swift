/// What tokens a service accepts, read from the environment.
public struct TokenVerifierConfiguration: Sendable {
    /// `iss` of the stack's own tokens (`JWT_ISSUER`, default `ecommerce-user-service`).
    public var issuer: String
    /// `aud` of the stack's own tokens (`JWT_AUDIENCE`, default `ecommerce`).
    public var audience: String
    /// Where the stack's public keys are (`JWKS_URL`, default `<USER_SERVICE_URL>/.well-known/jwks.json`).
    public var jwksURL: String
    /// With `FIREBASE_PROJECT_ID` set, Firebase Authentication ID tokens of that project are accepted too.
    public var firebaseProjectID: String?
    /// Google's public keys for Firebase tokens, as a JWKS (`FIREBASE_JWKS_URL`).
    public var firebaseJWKSURL: String

    public static let defaultIssuer = "ecommerce-user-service"
    public static let defaultAudience = "ecommerce"
    public static let googleJWKSURL =
        "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com"

    public init(
        issuer: String = defaultIssuer, audience: String = defaultAudience, jwksURL: String,
        firebaseProjectID: String? = nil, firebaseJWKSURL: String = googleJWKSURL
    ) {
        self.issuer = issuer
        self.audience = audience
        self.jwksURL = jwksURL
        self.firebaseProjectID = firebaseProjectID
        self.firebaseJWKSURL = firebaseJWKSURL
    }

    public init(environment: [String: String], userServiceURL: String) {
        self.init(
            issuer: environment["JWT_ISSUER"] ?? Self.defaultIssuer,
            audience: environment["JWT_AUDIENCE"] ?? Self.defaultAudience,
            jwksURL: environment["JWKS_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? userServiceURL + "/.well-known/jwks.json",
            firebaseProjectID: environment["FIREBASE_PROJECT_ID"].flatMap { $0.isEmpty ? nil : $0 },
            firebaseJWKSURL: environment["FIREBASE_JWKS_URL"] ?? Self.googleJWKSURL)
    }

    /// `https://securetoken.google.com/<project>`
    var firebaseIssuer: String? { firebaseProjectID.map { "https://securetoken.google.com/\($0)" } }
}
