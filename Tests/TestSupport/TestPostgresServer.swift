import Foundation
import Postgres

/// A PostgreSQL server of a test's own, for tests that stop or restart the server and so
/// cannot share the one `make test` started. Uses the same shell helpers as `make up`.
public struct TestPostgresServer: Sendable {
    public let directory: String
    public let port: Int

    /// Initialises and starts a new cluster on a free port (local trust authentication).
    public static func start() async throws -> TestPostgresServer {
        // Under make test's work folder, so its clean-up stops servers a failed test left running.
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? "/tmp"
        let directory = "\(base)/pg-\(UInt32.random(in: 0...UInt32.max))"
        let output = try await ShellCommand.bash("source scripts/lib.sh && start_scratch_server \(directory)")
        guard let port = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSetupError("no port from start_scratch_server: \(output)")
        }
        return TestPostgresServer(directory: directory, port: port)
    }

    /// The superuser's connection to the `postgres` database.
    public var configuration: PostgresConfiguration {
        PostgresConfiguration(port: port, user: "postgres", password: "", database: "postgres", minIdleConnections: 0)
    }

    public func stop() async throws {
        try await ShellCommand.bash("source scripts/lib.sh && stop_cluster \(directory)/data")
    }

    public func startAgain() async throws {
        try await ShellCommand.bash(
            "source scripts/lib.sh && start_cluster \(directory)/data \(port) \(directory)/postgres.log")
    }

    /// Stops the server and deletes its files.
    public func remove() async throws {
        try await stop()
        try await ShellCommand.bash("rm -rf \(directory)")
    }
}
