import ServiceKit

/// Whether a review's author may still write one: the User service must know them as active,
/// so a deleted or suspended account cannot post with a token that has not expired yet.
protocol AuthorChecking: Sendable {
    /// Nothing when the account is active; 403 otherwise; 503 when the User service cannot say.
    func requireActive(_ uid: String) async throws
}

/// ``AuthorChecking`` over the User service, as the order saga checks a customer.
struct ReviewAuthors: AuthorChecking {
    let users: InternalClient

    func requireActive(_ uid: String) async throws {
        if let refusal = try await users.accountStanding(of: uid).refusal { throw refusal }
    }
}
