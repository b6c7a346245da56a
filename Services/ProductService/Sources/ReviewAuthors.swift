import Contracts
import HTTPClient
import ServiceKit

/// Whether a review's author may still write one: the User service must know them as active,
/// so a deleted or suspended account cannot post with a token that has not expired yet.
protocol AuthorChecking: Sendable {
    /// Nothing when the account is active; ``CatalogError/authorInactive(_:)`` otherwise;
    /// 503 when the User service cannot say.
    func requireActive(_ uid: String) async throws
}

/// ``AuthorChecking`` over the User service's `GET /internal/users/{uid}`, as the order saga
/// checks a customer.
struct ReviewAuthors: AuthorChecking {
    private struct Account: Decodable {
        var status: String
    }

    let users: InternalClient

    func requireActive(_ uid: String) async throws {
        let response: HTTPClientResponse
        do {
            response = try await users.send(users.request("GET", "/internal/users/\(InternalClient.segment(uid))"))
        } catch {
            throw APIError.upstreamUnavailable("the user service cannot check the author's account")
        }
        switch response.status {
        case 200:
            guard let account = try? response.decode(Account.self) else {
                throw APIError.upstreamUnavailable("the user service answered the account check with an unexpected body")
            }
            guard account.status == "active" else { throw CatalogError.authorInactive(account.status) }
        case 404:
            throw CatalogError.authorInactive("unknown")
        default:
            throw APIError.upstreamUnavailable("the user service answered the account check with \(response.status)")
        }
    }
}
