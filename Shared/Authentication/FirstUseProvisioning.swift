import Contracts
import HTTPClient
import ServiceKit
import Synchronization

/// Makes sure a user signed in with another provider's token (Firebase) has a profile at the
/// User service before a route needs one, so they can order, review and read `/users/me` like
/// anyone who registered. Asked once per user and process; the User service makes the profile
/// at most once however many requests race (``BearerAuthMiddleware`` calls ``ensure(_:)``).
public final class FirstUseProvisioning: Sendable {
    private let provision: @Sendable (String, ExternalIdentity) async throws -> Void
    private let provisioned = Mutex<Set<String>>([])

    /// `provision(uid, identity)` makes the profile, or finds it made.
    public init(_ provision: @escaping @Sendable (String, ExternalIdentity) async throws -> Void) {
        self.provision = provision
    }

    /// Over the User service's `POST /internal/users/{uid}/provision` (every service but the
    /// User service itself). 409 `email_taken` when an account registered with a password
    /// holds the email; 503 when the User service cannot answer.
    public static func remote(_ users: InternalClient) -> FirstUseProvisioning {
        FirstUseProvisioning { uid, identity in
            let request = try users.request("POST", "/internal/users/\(InternalClient.segment(uid))/provision", json: identity)
            let response: HTTPClientResponse
            do {
                response = try await users.send(request)
            } catch {
                throw APIError.upstreamUnavailable("the user service cannot make the profile of this sign-in")
            }
            guard response.isSuccess else {
                if response.errorEnvelope?.error.code == ErrorCode.emailTaken.rawValue {
                    throw APIError(.emailTaken, "an account with this email already exists; sign in with its password")
                }
                throw APIError.upstreamUnavailable("the user service answered \(response.status) making the profile of this sign-in")
            }
        }
    }

    /// Provisions the principal's profile the first time it is seen, if its token came from
    /// another provider; does nothing for the stack's own tokens and API keys.
    public func ensure(_ principal: Principal) async throws {
        guard let identity = principal.externalIdentity, !provisioned.withLock({ $0.contains(principal.uid) }) else { return }
        try await provision(principal.uid, identity)
        provisioned.withLock { known in
            if known.count >= 100_000 { known.removeAll() }
            known.insert(principal.uid)
        }
    }
}
