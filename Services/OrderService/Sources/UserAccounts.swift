import Contracts
import Foundation
import HTTPClient
import ServiceKit

/// The saga's "validate the user" step: the User service must know the user as active.
struct UserAccounts: UserValidating {
    /// The part of the User service's answer the step reads.
    private struct Account: Decodable {
        var status: String
    }

    let peer: InternalClient

    func validate(uid: String) async -> StepOutcome<Void> {
        let response: HTTPClientResponse
        do {
            response = try await peer.send(peer.request("GET", "/internal/users/\(InternalClient.segment(uid))"))
        } catch {
            let (failure, _) = unavailable("user", error)
            return .failed(failure, uncertain: false)  // a read: nothing to undo
        }
        switch response.status {
        case 200:
            guard let user = try? response.decode(Account.self) else {
                return .failed(unexpected("user", response).0, uncertain: false)
            }
            guard user.status == "active" else {
                return .failed(SagaFailure(.forbidden, "the user account is \(user.status)"), uncertain: false)
            }
            return .completed(())
        case 404:
            return .failed(SagaFailure(.forbidden, "the user account no longer exists"), uncertain: false)
        default:
            return .failed(unexpected("user", response).0, uncertain: false)
        }
    }
}
