import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import TestSupport
import UserService

let adminEmail = "admin@example.com"
let adminPassword = "admin-password-1"
let internalToken = "test-internal-token"

/// Runs the User service on its own new database, with a bootstrap admin and an internal token.
func withUserService(
    environment: [String: String] = [:], _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let database = try await TestDatabase.create("users")
    let root = TestEnvironment.repositoryRoot
    let configuration = try ServiceConfiguration(
        defaults: UserServiceApp.defaults,
        environment: [
            "PORT": "0", "DATABASE_URL": database.url, "DB_MAX_CONNECTIONS": "8",
            "MIGRATIONS_DIR": root.appending(path: "database/migrations/user").path,
            "DOCUMENT_INDEXES_FILE": root.appending(path: "database/document-indexes.json").path,
            "BOOTSTRAP_ADMIN_EMAIL": adminEmail, "BOOTSTRAP_ADMIN_PASSWORD": adminPassword,
            "INTERNAL_TOKEN": internalToken,
        ].merging(environment) { $1 })
    try await UserServiceApp.buildApplication(configuration: configuration).test(.live, body)
}

let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
}()

func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    try decoder.decode(T.self, from: Data(buffer: response.body))
}

func errorCode(_ response: TestResponse) -> String? {
    (try? decoder.decode(ErrorEnvelope.self, from: Data(buffer: response.body)))?.error.code
}

func json(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

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
