import Foundation
import Postgres

/// A PostgreSQL server of a test's own, for tests that stop or restart the server and so
/// cannot share the one `make test` started. Uses the same shell helpers as `make up`.
public struct TestPostgresServer: Sendable {
    public let directory: String
    public let port: Int
    /// Set for a server started with `tlsNames`: `ca.crt` there signed its certificate.
    public let tlsDirectory: String?

    /// Initialises and starts a new cluster on a free port (local trust authentication);
    /// with `tlsNames` (`DNS:localhost`, `IP:127.0.0.1`, comma-separated) it offers TLS with
    /// a certificate for those names from a CA of its own.
    public static func start(tlsNames: String? = nil) async throws -> TestPostgresServer {
        // Under make test's work folder, so its clean-up stops servers a failed test left running.
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? "/tmp"
        let directory = "\(base)/pg-\(UInt32.random(in: 0...UInt32.max))"
        let tlsDirectory = tlsNames.map { _ in "\(directory)/tls" }
        var script = "source scripts/lib.sh && "
        if let tlsNames, let tlsDirectory {
            script += "make_tls_files \(tlsDirectory) '\(tlsNames)' && PG_TLS_DIR=\(tlsDirectory) "
        }
        let output = try await ShellCommand.bash(script + "start_scratch_server \(directory)")
        guard let port = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSetupError("no port from start_scratch_server: \(output)")
        }
        return TestPostgresServer(directory: directory, port: port, tlsDirectory: tlsDirectory)
    }

    /// The superuser's connection to the `postgres` database.
    public var configuration: PostgresConfiguration {
        PostgresConfiguration(port: port, user: "postgres", password: "", database: "postgres", minIdleConnections: 0)
    }

    public func stop() async throws {
        try await ShellCommand.bash("source scripts/lib.sh && stop_cluster \(directory)/data")
    }

    public func startAgain() async throws {
        let tls = tlsDirectory.map { "PG_TLS_DIR=\($0) " } ?? ""
        try await ShellCommand.bash(
            "source scripts/lib.sh && \(tls)start_cluster \(directory)/data \(port) \(directory)/postgres.log")
    }

    /// Stops the server and deletes its files.
    public func remove() async throws {
        try await stop()
        try await ShellCommand.bash("rm -rf \(directory)")
    }
}
