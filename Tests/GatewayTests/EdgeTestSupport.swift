import Contracts
import Foundation
import HummingbirdTesting
import Postgres
import ServiceKit
import Synchronization
import TestSupport
import Testing
import UserService

@testable import Gateway

/// The gateway in front of the real User service and an echoing upstream for the catalog and orders.
func withEdge(
    _ environment: [String: String] = [:],
    _ body: @escaping @Sendable (_ gateway: any TestClientProtocol, _ database: PostgresConfiguration) async throws -> Void
) async throws {
    try await withEdges(1, environment) { gateways in try await body(gateways[0].client, gateways[0].database) }
}

/// `count` gateways (replicas, each with a database of its own) in front of one User service
/// and one echoing upstream.
func withEdges(
    _ count: Int, _ environment: [String: String] = [:],
    _ body: @escaping @Sendable (_ gateways: [(client: any TestClientProtocol, database: PostgresConfiguration)]) async throws -> Void
) async throws {
    let users = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
    try await users.withLiveServer { userURL in
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let merged = ["USER_SERVICE_URL": userURL, "API_LOG_FLUSH_MS": "100"].merging(environment) { $1 }
            var configurations: [ServiceConfiguration] = []
            for _ in 0..<count { configurations.append(try await gatewayConfiguration(upstream: upstream, environment: merged)) }
            try await startGateways(configurations[...], running: []) { try await body($0) }
        }
    }
}

private func startGateways(
    _ configurations: ArraySlice<ServiceConfiguration>, running: [(client: any TestClientProtocol, database: PostgresConfiguration)],
    _ body: @escaping @Sendable ([(client: any TestClientProtocol, database: PostgresConfiguration)]) async throws -> Void
) async throws {
    guard let configuration = configurations.first else { return try await body(running) }
    try await GatewayApp.buildApplication(configuration: configuration).test(.live) { client in
        try await startGateways(configurations.dropFirst(), running: running + [(client, configuration.database)], body)
    }
}

func login(_ client: any TestClientProtocol, admin: Bool) async throws -> String {
    let response = admin
        ? try await client.send("/api/v1/auth/login", .post, body: json(["email": TestCredentials.adminEmail, "password": TestCredentials.adminPassword]))
        : try await client.send("/api/v1/auth/register", .post, body: json(
            ["email": "u\(UInt32.random(in: 0...UInt32.max))@example.com", "password": "password-1", "first_name": "A", "last_name": "B"]))
    return try decode(AuthResponse.self, response).token.idToken
}

/// Like `withEdge`, but returns the gateway's database once the gateway has shut down;
/// `beforeShutdown` gets a pool on that database after `body`.
func withEdgeReturningDatabase(
    _ environment: [String: String], _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void,
    beforeShutdown: @escaping @Sendable (PostgresPool) async throws -> Void = { _ in }
) async throws -> PostgresConfiguration {
    let box = DatabaseBox()
    try await withEdge(environment) { client, database in
        box.set(database)
        try await body(client)
        let pool = PostgresPool(configuration: database, logger: TestEnvironment.logger("edge-database"))
        do {
            try await beforeShutdown(pool)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
    return try #require(box.value)
}

final class DatabaseBox: Sendable {
    private let stored = Mutex<PostgresConfiguration?>(nil)
    func set(_ value: PostgresConfiguration) { stored.withLock { $0 = value } }
    var value: PostgresConfiguration? { stored.withLock { $0 } }
}
