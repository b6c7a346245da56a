import Contracts
import ServiceKit

/// What the User service's directory refuses, as domain facts; ``apiError`` is the one place
/// they become the contract's errors.
enum AccountError: APIErrorConvertible, Equatable {
    /// Another account has the email.
    case emailTaken
    /// A refresh token that is malformed, unknown, revoked or expired.
    case invalidRefreshToken
    /// A refresh token exchanged before: its session is revoked.
    case refreshTokenReused

    var apiError: APIError {
        switch self {
        case .emailTaken: APIError(.emailTaken, "an account with this email already exists")
        case .invalidRefreshToken: APIError(.unauthorized, "invalid, revoked or expired refresh token")
        case .refreshTokenReused: APIError(.unauthorized, "this refresh token was already used; the session is revoked")
        }
    }
}
