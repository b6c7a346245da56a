import Contracts
import Foundation
import HTTPClient
import TestSupport
import Testing

@Suite("End to end: make up and make down")
struct StackLifecycleTests {
    static let parts = [
        "user-db", "product-db", "order-db", "gateway-db", "user-service", "product-service", "order-service", "gateway",
    ]

    @Test func makeUpServesHealthThroughTheGatewayAndMakeDownStopsEverything() async throws {
        for binary in ["user-service", "product-service", "order-service", "gateway"] {
            let path = TestEnvironment.binDirectory.appending(path: binary).path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestSetupError("\(path) is not built: run `make test`, which builds it first")
            }
        }
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let stackDirectory = "\(base)/stack-\(UInt32.random(in: 0...UInt32.max))"
        var environment = ["STACK_DIR": stackDirectory, "SKIP_BUILD": "1", "BIN_DIR": TestEnvironment.binDirectory.path]
        for name in ["GATEWAY_PORT", "USER_SERVICE_PORT", "PRODUCT_SERVICE_PORT", "ORDER_SERVICE_PORT",
                     "USER_DB_PORT", "PRODUCT_DB_PORT", "ORDER_DB_PORT", "GATEWAY_DB_PORT"] {
            environment[name] = String(try await ShellCommand.freePort())
        }
        let gateway = "http://127.0.0.1:\(environment["GATEWAY_PORT"]!)"

        do {
            let output = try await ShellCommand.bash("make up", environment: environment)
            #expect(output.contains(gateway))
            try await checkRunningStack(gateway: gateway)
        } catch {
            _ = try? await ShellCommand.bash("make down", environment: environment)
            throw error
        }

        let pids = try Self.parts.map { part -> Int32 in
            let text = try String(contentsOfFile: "\(stackDirectory)/run/\(part).pid", encoding: .utf8)
            return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        #expect(pids.allSatisfy { $0 > 0 })
        #expect(Self.parts.allSatisfy { FileManager.default.fileExists(atPath: "\(stackDirectory)/logs/\($0).log") })

        try await ShellCommand.bash("make down", environment: environment)
        for service in Self.parts.filter({ !$0.hasSuffix("-db") }) {
            // SIGTERM ran the graceful shutdown to its end (not the SIGKILL fallback).
            let log = try String(contentsOfFile: "\(stackDirectory)/logs/\(service).log", encoding: .utf8)
            #expect(log.contains(#""message":"stopped""#), "\(service) did not shut down gracefully")
        }
        for (part, pid) in zip(Self.parts, pids) {
            #expect(!Self.isRunning(pid), "\(part) (pid \(pid)) still runs after make down")
            #expect(!FileManager.default.fileExists(atPath: "\(stackDirectory)/run/\(part).pid"))
        }
    }

    private func checkRunningStack(gateway: String) async throws {
        let client = CurlHTTPClient()
        let health = try await client.execute(HTTPClientRequest(url: "\(gateway)/health"))
        #expect(health.status == 200)
        let report = try health.decode(StackHealth.self)
        #expect(report.status == "ok")
        #expect(Set(report.services.keys) == ["user", "product", "order", "gateway"])

        // A catalog path goes through the gateway to the product service and back.
        let routed = try await client.execute(HTTPClientRequest(url: "\(gateway)/api/v1/products/1", headers: [("X-Request-ID", "e2e-1")]))
        #expect(routed.header("X-Request-ID") == "e2e-1")
        #expect(routed.errorEnvelope?.error.requestID == "e2e-1")
        let internalRoute = try await client.execute(HTTPClientRequest(url: "\(gateway)/internal/users/abc"))
        #expect(internalRoute.status == 404)
    }

    /// Alive and not a zombie (a stopped server whose parent has not reaped it yet is gone for our purposes).
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }
}
