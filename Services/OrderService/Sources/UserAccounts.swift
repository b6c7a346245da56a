import Contracts
import ServiceKit

/// The saga's "validate the user" step: the User service must know the user as active.
struct UserAccounts: UserValidating {
    let peer: InternalClient

    /// A read: whatever the answer, there is nothing to undo.
    func validate(uid: String) async -> StepOutcome<Void> {
        do {
            guard let refusal = try await peer.accountStanding(of: uid).refusal else { return .completed(()) }
            return .failed(SagaFailure(refusal.code, refusal.message), uncertain: false)
        } catch {
            let message = (error as? APIError)?.message ?? "the user service is unavailable"
            return .failed(SagaFailure(.upstreamUnavailable, message), uncertain: false)
        }
    }
}
