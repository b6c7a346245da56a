import Foundation
import TestSupport
import Testing

/// docker-compose.yml, deploy/k8s and the Dockerfile, checked against their schemas and the
/// stack's rules in seconds (`scripts/validate-deploy.sh`); `make compose-test` runs them.
@Suite("Deployment files")
struct DeploymentFilesTests {
    @Test func composeKubernetesAndDockerfileAreValid() async throws {
        let output = try await ShellCommand.bash("bash scripts/validate-deploy.sh")
        #expect(output.contains("docker-compose.yml: valid"))
        #expect(output.contains("deploy/k8s: valid"))
        #expect(output.contains("Dockerfile: valid"))
    }

    /// The checks can fail: a broken copy of each file is refused.
    @Test(arguments: [
        ("compose", "docker-compose.yml", "retries: 10", "retries: \"ten\""),
        ("compose", "docker-compose.yml", "pg_isready -U order_user -d order_database", "true"),
        ("compose", "docker-compose.yml", "condition: service_healthy", "condition: service_started"),
        ("compose", "docker-compose.yml", "container_name: api-gateway", "container_name: gateway"),
        ("k8s", "deploy/k8s/gateway.yaml", "readinessProbe:", "readinessProbes:"),
        ("k8s", "deploy/k8s/order-service.yaml", "path: /health/live", "path: /"),
        ("k8s", "deploy/k8s/product-service.yaml", "prometheus.io/port: \"8082\"", "prometheus.io/port: \"9090\""),
        ("dockerfile", "Dockerfile", "RUN make test", "RUN true"),
    ])
    func aBrokenFileIsRefused(kind: String, file: String, original: String, broken: String) async throws {
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let directory = "\(base)/deploy-\(UUID().uuidString.prefix(8))"
        let root = TestEnvironment.repositoryRoot.path
        try FileManager.default.createDirectory(atPath: "\(directory)/deploy/k8s", withIntermediateDirectories: true)
        for path in ["docker-compose.yml", "Dockerfile"] + (try FileManager.default.contentsOfDirectory(atPath: "\(root)/deploy/k8s")).map({ "deploy/k8s/\($0)" }) {
            var text = try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
            if path == file {
                #expect(text.contains(original))
                text = text.replacingOccurrences(of: original, with: broken)
            }
            try text.write(toFile: "\(directory)/\(path)", atomically: true, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/database", withDestinationPath: "\(root)/database")
        let target = kind == "k8s" ? "\(directory)/deploy/k8s" : "\(directory)/\(file)"
        await #expect(throws: TestSetupError.self) { try await ShellCommand.bash("bash scripts/validate-deploy.sh \(kind) '\(target)'") }
    }

    /// deploy/prometheus: the scrape configuration is valid and every alert rule passes its
    /// unit tests (`promtool test rules`); a rule with the wrong threshold fails them.
    @Test func prometheusConfigurationAndAlertRules() async throws {
        let checked = try await ShellCommand.bash(
            "cd deploy/prometheus && promtool check config prometheus.yml 2>&1 && promtool test rules alerts-test.yml 2>&1")
        #expect(checked.contains("SUCCESS: 8 rules found"), "\(checked)")
        #expect(checked.contains("SUCCESS"))

        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let directory = "\(base)/prometheus-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let root = TestEnvironment.repositoryRoot.path
        let rules = try String(contentsOfFile: "\(root)/deploy/prometheus/alerts.yml", encoding: .utf8)
        #expect(rules.contains("> 0.05"))
        try rules.replacingOccurrences(of: "> 0.05", with: "> 0.5").write(toFile: "\(directory)/alerts.yml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "\(root)/deploy/prometheus/alerts-test.yml", toPath: "\(directory)/alerts-test.yml")
        await #expect(throws: TestSetupError.self) { try await ShellCommand.bash("cd '\(directory)' && promtool test rules alerts-test.yml") }
    }
}
