import Foundation

/// Runs shell commands from tests without blocking a Swift concurrency thread.
///
/// Uses `posix_spawn` and `waitpid` on a thread of its own rather than Foundation's
/// `Process`, which on Linux does not report the end of a script that left a daemon (a
/// PostgreSQL server) running behind it.
public enum ShellCommand {
    /// Runs `bash -c script` from the repository root; throws with the output when it fails.
    ///
    /// Starting it, waiting for it and reading its output all happen on a thread of its own:
    /// on a machine whose disk is busy, file I/O on Swift's few cooperative threads has
    /// stalled every other test in the process.
    @discardableResult
    public static func bash(_ script: String, environment: [String: String] = [:]) async throws -> String {
        let fullScript = "cd '\(TestEnvironment.repositoryRoot.path)' && { \(script)\n}"
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let (exitCode, text) = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(["/bin/bash", "-c", fullScript], environment: variables) })
            }
        }
        guard exitCode == 0 else { throw TestSetupError("`\(script)` exited with \(exitCode):\n\(text)") }
        return text
    }

    /// Runs a command to its end on the calling thread; its exit code (128 + the signal if one
    /// ended it) and its output.
    private static func run(_ arguments: [String], environment: [String]) throws -> (Int32, String) {
        // Output goes to a file, not a pipe: a server the script starts inherits it.
        let outputPath = FileManager.default.temporaryDirectory.appending(path: "shell-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let ended = waitForEnd(of: try spawn(arguments: arguments, environment: environment, outputPath: outputPath))
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (ended.exitCode ?? 128 + (ended.signal ?? 0), text)
    }

    /// Blocks the calling thread until process `pid` ends: its exit code, or the signal that ended it.
    static func waitForEnd(of pid: pid_t) -> (exitCode: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        return (status & 0x7f) == 0 ? ((status >> 8) & 0xff, nil) : (nil, status & 0x7f)
    }

    /// A TCP port nothing listens on right now.
    public static func freePort() async throws -> Int {
        let text = try await bash("source scripts/lib.sh && free_port")
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSetupError("no free port: \(text)")
        }
        return port
    }

    static func spawn(arguments: [String], environment: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard result == 0 else { throw TestSetupError("cannot start \(arguments[0]): error \(result)") }
        return pid
    }
}
