import Foundation

/// A built executable of the project running as a process of its own, so that a test can
/// kill it the hard way (SIGKILL) and start it again.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// Where its standard output and error go.
    public let logPath: String

    /// Starts `TestEnvironment.binDirectory/<executable>` with `environment` added to the test's own.
    public init(executable: String, environment: [String: String]) throws {
        let path = TestEnvironment.binDirectory.appending(path: executable).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSetupError("\(path) is not built: run `make test`, which builds it first")
        }
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        logPath = "\(base)/\(executable)-\(UUID().uuidString.prefix(8)).log"
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        pid = try ShellCommand.spawn(arguments: [path], environment: variables, outputPath: logPath)
    }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the process to end; returns the signal that ended it, or `nil` for a normal exit.
    @discardableResult
    public func waitForExit() async -> Int32? {
        await waitForEnd().signal
    }

    /// Waits up to `patience` for the process to end by itself and returns its exit code;
    /// `nil` when a signal ended it, or when it was still running (it is then killed).
    public func exitCode(within patience: Duration) async -> Int32? {
        let killer = Task { [pid] in
            guard (try? await Task.sleep(for: patience)) != nil else { return }
            kill(pid, SIGKILL)
        }
        defer { killer.cancel() }
        return await waitForEnd().exitCode
    }

    /// Waits on a thread of its own, not one of Swift's cooperative threads.
    private func waitForEnd() async -> (exitCode: Int32?, signal: Int32?) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [pid] in continuation.resume(returning: ShellCommand.waitForEnd(of: pid)) }
        }
    }

    /// The process's output so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
