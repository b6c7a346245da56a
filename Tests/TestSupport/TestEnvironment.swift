import Foundation
import Logging
import Postgres

/// Facts about the test run: where the repository is, which PostgreSQL server `make test` started.
public enum TestEnvironment {
    /// The repository's root folder.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder holding the built executables (beside the test bundle).
    public static var binDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The superuser connection to the throwaway server of `make test` (`TEST_DATABASE_URL`).
    public static func adminConfiguration() throws -> PostgresConfiguration {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"],
            var configuration = try? PostgresConfiguration(url: url)
        else {
            throw TestSetupError("TEST_DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL")
        }
        configuration.minIdleConnections = 0
        configuration.maxConnections = 2
        configuration.connectTimeoutSeconds = slowMachineDatabaseTimeout
        configuration.acquireTimeout = .seconds(slowMachineDatabaseTimeout)
        return configuration
    }

    /// Seconds a test's pools and services allow for opening a database connection and for
    /// waiting for one (instead of the services' 5 s). The first seconds of a parallel run
    /// start dozens of services and databases at once, and on a slow CI machine a new
    /// connection has taken longer than 5 s. Tests about these timeouts set their own.
    public static let slowMachineDatabaseTimeout = 30

    /// A logger that stays quiet unless `TEST_LOG_LEVEL` asks otherwise.
    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }
}

/// The test environment is not set up as a test needs.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
