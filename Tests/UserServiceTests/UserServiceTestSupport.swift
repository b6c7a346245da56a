import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import TestSupport
import UserService

let adminEmail = TestCredentials.adminEmail
let adminPassword = TestCredentials.adminPassword
let internalToken = TestCredentials.internalToken

/// Runs the User service on its own new database, with a bootstrap admin and an internal token.
func withUserService(
    environment: [String: String] = [:], _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let configuration = try await serviceTestConfiguration(UserServiceApp.defaults, environment: environment)
    try await UserServiceApp.buildApplication(configuration: configuration).test(.live, body)
}

extension TestClientProtocol {
    func register(_ email: String, password: String = "correct horse battery", firstName: String = "Ada") async throws
        -> TestResponse
    {
        try await send(
            "/api/v1/auth/register", .post,
            body: json(["email": email, "password": password, "first_name": firstName, "last_name": "Lovelace"]))
    }

    func login(_ email: String, _ password: String) async throws -> TestResponse {
        try await send("/api/v1/auth/login", .post, body: json(["email": email, "password": password]))
    }

    /// Registers a new user and returns their tokens.
    func newUser(_ email: String = "user-\(UUID().uuidString.prefix(8))@example.com") async throws -> AuthResponse {
        try decode(AuthResponse.self, try await register(email))
    }

    func adminToken() async throws -> String {
        try decode(AuthResponse.self, try await login(adminEmail, adminPassword)).token.idToken
    }
}
