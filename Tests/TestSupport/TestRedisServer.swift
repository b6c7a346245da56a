import Foundation
import Synchronization

/// A `redis-server` of the test's own on a free loopback port, without persistence, that
/// the test can stop (SIGKILL, as a crash) and start again on the same port.
public final class TestRedisServer: Sendable {
    public let port: Int
    private let process: ManagedProcess

    public var url: String { "redis://127.0.0.1:\(port)" }

    private init(port: Int) async throws {
        self.port = port
        self.process = try await ManagedProcess.start(port: port)
    }

    /// Runs `body` with a server, stopped afterwards whatever happens.
    public static func with<T: Sendable>(_ body: (TestRedisServer) async throws -> T) async throws -> T {
        let server = try await TestRedisServer(port: try await ShellCommand.freePort())
        do {
            let result = try await body(server)
            await server.process.stop()
            return result
        } catch {
            await server.process.stop()
            throw error
        }
    }

    /// Kills the server, as a crash would.
    public func kill() async { await process.stop() }

    /// Freezes it (SIGSTOP): connections stay open and nothing answers. `resume()` thaws it.
    public func pause() { process.signal(SIGSTOP) }
    public func resume() { process.signal(SIGCONT) }

    /// Starts it again on the same port (empty: it keeps nothing).
    public func restart() async throws { try await process.restart(port: port) }

    /// Runs a command with redis-cli and returns what it printed.
    public func command(_ arguments: String) async throws -> String {
        try await ShellCommand.bash("redis-cli -p \(port) \(arguments)")
    }
}

/// The server process, replaced on restart.
private final class ManagedProcess: Sendable {
    private let current: Mutex<pid_t?> = Mutex(nil)

    static func start(port: Int) async throws -> ManagedProcess {
        let process = ManagedProcess()
        try await process.restart(port: port)
        return process
    }

    func restart(port: Int) async throws {
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let pid = try ShellCommand.spawn(
            arguments: ["/usr/bin/redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            environment: ["PATH=/usr/bin:/bin"], outputPath: "\(base)/redis-\(port)-\(UUID().uuidString.prefix(8)).log")
        current.withLock { $0 = pid }
        for _ in 0..<100 {
            if (try? await ShellCommand.bash("redis-cli -p \(port) ping"))?.contains("PONG") == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("redis-server did not answer on port \(port)")
    }

    func signal(_ signal: Int32) {
        if let pid = current.withLock({ $0 }) { Foundation.kill(pid, signal) }
    }

    func stop() async {
        guard let pid = current.withLock({ value -> pid_t? in defer { value = nil }; return value }) else { return }
        Foundation.kill(pid, SIGKILL)
        _ = ShellCommand.waitForEnd(of: pid)
    }
}
