import Contracts
import HTTPClient
import Hummingbird
import ServiceKit

/// `GET /health`: every service's `/health/ready` and the gateway's own readiness, asked
/// concurrently; 200 when all are ok, else 503 with `"status": "degraded"` naming the failing parts.
struct StackHealthController: Sendable {
    let client: CurlHTTPClient
    let upstreamURLs: [Upstream: String]
    let gateway: HealthController

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get { _, _ in
            let health = await stackHealth()
            return EditedResponse(status: health.status == "ok" ? .ok : .serviceUnavailable, response: health)
        }
        return routes
    }

    func stackHealth() async -> StackHealth {
        await withTaskGroup(of: (String, HealthReport).self) { group in
            for (upstream, baseURL) in upstreamURLs {
                group.addTask {
                    (upstream.rawValue, await probe(baseURL + "/health/ready"))
                }
            }
            group.addTask { ("gateway", await gateway.report()) }
            var reports: [String: HealthReport] = [:]
            for await (name, report) in group { reports[name] = report }
            return StackHealth(services: reports)
        }
    }

    private func probe(_ url: String) async -> HealthReport {
        let request = HTTPClientRequest(method: "GET", url: url, timeout: .seconds(2), retry: .never)
        do {
            let response = try await client.execute(request)
            if let report = try? response.decode(HealthReport.self) { return report }
            return HealthReport(status: "down", error: "status \(response.status)")
        } catch {
            return HealthReport(status: "down", error: "\(error)")
        }
    }
}

extension StackHealth: ResponseEncodable {}
