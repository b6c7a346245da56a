import Contracts
import HTTPClient

/// Where a user's account stands at the User service (`GET /internal/users/{uid}`): what the
/// order saga asks of a customer and the Product service of a review's author, so that a
/// deleted or suspended account is refused even with a token that has not expired yet.
public enum AccountStanding: Sendable, Equatable {
    case active
    /// Known, but `deleted`, `suspended`, …
    case inactive(status: String)
    /// The User service does not know the uid.
    case unknown

    /// 403 `forbidden` naming why, for anything but an active account.
    public var refusal: APIError? {
        switch self {
        case .active: nil
        case .inactive(let status): APIError(.forbidden, "the user account is \(status)")
        case .unknown: APIError(.forbidden, "the user account does not exist")
        }
    }
}

extension InternalClient {
    /// Asks this peer, the User service, where `uid`'s account stands; 503
    /// `upstream_unavailable` when it cannot say.
    public func accountStanding(of uid: String) async throws -> AccountStanding {
        struct Account: Decodable {
            var status: String
        }
        let response: HTTPClientResponse
        do {
            response = try await send(request("GET", "/internal/users/\(Self.segment(uid))"))
        } catch {
            throw APIError.upstreamUnavailable("the \(service) service cannot be asked about the account")
        }
        switch response.status {
        case 200:
            guard let account = try? response.decode(Account.self) else {
                throw APIError.upstreamUnavailable("the \(service) service answered the account check with an unexpected body")
            }
            return account.status == "active" ? .active : .inactive(status: account.status)
        case 404:
            return .unknown
        default:
            throw APIError.upstreamUnavailable("the \(service) service answered the account check with \(response.status)")
        }
    }
}
