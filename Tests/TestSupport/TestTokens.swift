import Contracts
import HummingbirdTesting

/// Tokens issued by a real User service: its bootstrap admin and two customers.
public struct TestTokens: Sendable {
    public let admin: String
    public let customer: String
    public let otherCustomer: String
    public let customerUID: String
    public let otherCustomerUID: String

    /// Logs the admin in and registers two customers through `client` (a live User service).
    public static func issue(_ client: any TestClientProtocol) async throws -> TestTokens {
        func auth(_ path: String, _ body: [String: String]) async throws -> AuthResponse {
            try decode(AuthResponse.self, try await client.send(path, .post, body: json(body)))
        }
        let admin = try await auth("/api/v1/auth/login", ["email": TestCredentials.adminEmail, "password": TestCredentials.adminPassword])
        let customer = try await auth(
            "/api/v1/auth/register", ["email": "c1@example.com", "password": "password-1", "first_name": "C", "last_name": "One"])
        let other = try await auth(
            "/api/v1/auth/register", ["email": "c2@example.com", "password": "password-2", "first_name": "C", "last_name": "Two"])
        return TestTokens(
            admin: admin.token.idToken, customer: customer.token.idToken, otherCustomer: other.token.idToken,
            customerUID: customer.user.uid, otherCustomerUID: other.user.uid)
    }
}
