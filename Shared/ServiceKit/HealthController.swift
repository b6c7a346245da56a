import Contracts
import Hummingbird

/// `GET /health/live` (the process answers) and `GET /health/ready` (its own dependencies,
/// such as its database, answer too: 200, else 503 naming what failed).
public struct HealthController: Sendable {
    let checks: [ReadinessCheck]
    let timeout: Duration

    /// Creates the controller with the service's readiness checks.
    public init(checks: [ReadinessCheck], timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.timeout = timeout
    }

    public var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("live") { _, _ in HealthReport(status: "ok") }
        routes.get("ready") { _, context in
            let report = await report()
            if !report.isHealthy {
                context.logger.warning("not ready", metadata: ["checks": "\(report.checks ?? [:])"])
            }
            return EditedResponse(status: report.isHealthy ? .ok : .serviceUnavailable, response: report)
        }
        return routes
    }

    /// Runs every check concurrently, each bounded by the timeout.
    public func report() async -> HealthReport {
        let results = await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    let outcome = await withTaskGroup(of: String?.self) { race in
                        race.addTask {
                            do {
                                try await check.probe()
                                return "ok"
                            } catch {
                                return "failed"
                            }
                        }
                        race.addTask {
                            try? await Task.sleep(for: timeout)
                            return Task.isCancelled ? nil : "timeout"
                        }
                        let first = await race.next() ?? nil
                        race.cancelAll()
                        return first ?? "timeout"
                    }
                    return (check.name, outcome)
                }
            }
            var results: [String: String] = [:]
            for await (name, outcome) in group { results[name] = outcome }
            return results
        }
        let healthy = results.values.allSatisfy { $0 == "ok" }
        return HealthReport(
            status: healthy ? "ok" : "degraded", checks: results,
            error: healthy ? nil : results.filter { $0.value != "ok" }.keys.sorted().joined(separator: ", "))
    }
}

extension HealthReport: ResponseEncodable {}
