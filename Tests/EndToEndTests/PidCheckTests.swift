import Foundation
import TestSupport
import Testing

/// `pid_alive` (scripts/lib.sh), which `make up` asks before starting a part: a service killed
/// with SIGKILL and not yet reaped is a zombie, and `kill -0` alone took it for a live one.
@Suite("Scripts: is a part running?")
struct PidCheckTests {
    @Test func aZombieIsNotRunningAndALiveProcessIs() async throws {
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let file = "\(base)/pid-check-\(UUID().uuidString.prefix(8))"
        // The child exits after its parent has become `sleep`, which never reaps it: a zombie
        // for as long as the parent lives.
        let output = try await ShellCommand.bash(
            """
            source scripts/lib.sh
            bash -c 'sleep 0.3 & echo $! > \(file).zombie; exec sleep 30' &
            parent=$!
            trap 'kill $parent 2>/dev/null; rm -f \(file).*' EXIT
            for _ in $(seq 50); do [ -s \(file).zombie ] && grep -q '^State:.Z' /proc/$(cat \(file).zombie)/status 2>/dev/null && break; sleep 0.1; done
            kill -0 "$(cat \(file).zombie)" && echo "kill-0: yes"
            pid_alive \(file).zombie && echo "zombie: alive" || echo "zombie: dead"
            echo $parent > \(file).live
            pid_alive \(file).live && echo "live: alive" || echo "live: dead"
            pid_alive \(file).missing && echo "missing: alive" || echo "missing: dead"
            """)
        #expect(output.contains("kill-0: yes"), "the set-up made no zombie:\n\(output)")
        #expect(output.contains("zombie: dead"), "\(output)")
        #expect(output.contains("live: alive"), "\(output)")
        #expect(output.contains("missing: dead"), "\(output)")
    }
}
