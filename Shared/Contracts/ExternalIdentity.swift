/// What another identity provider's token (a Firebase ID token) says of its user: enough
/// for the User service to make the profile the first time the user is seen. The body of
/// `POST /internal/users/{uid}/provision`.
public struct ExternalIdentity: Codable, Sendable, Equatable {
    public var email: String?
    public var emailVerified: Bool
    /// The display name, e.g. `Ada Lovelace`.
    public var name: String?

    enum CodingKeys: String, CodingKey {
        case email, name
        case emailVerified = "email_verified"
    }

    public init(email: String?, emailVerified: Bool, name: String?) {
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
    }
}
