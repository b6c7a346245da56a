/// The body of `/health/live`, `/health/ready` and each part of the gateway's `/health`.
public struct HealthReport: Codable, Sendable, Equatable {
    /// `ok` or `degraded` (for a service) / `down` (for a part that could not be reached).
    public var status: String
    /// Named checks and their outcome, e.g. `{"database": "ok"}`.
    public var checks: [String: String]?
    /// A short reason when the status is not `ok`.
    public var error: String?

    /// Creates a report.
    public init(status: String, checks: [String: String]? = nil, error: String? = nil) {
        self.status = status
        self.checks = checks
        self.error = error
    }

    /// Whether every check passed.
    public var isHealthy: Bool { status == "ok" }
}

/// The body of the gateway's aggregated `GET /health`.
public struct StackHealth: Codable, Sendable, Equatable {
    /// `ok` when every part is healthy, else `degraded`.
    public var status: String
    /// One report per part: `user`, `product`, `order`, `gateway`.
    public var services: [String: HealthReport]

    /// Creates the aggregated report, deriving the overall status from the parts.
    public init(services: [String: HealthReport]) {
        self.services = services
        self.status = services.values.allSatisfy(\.isHealthy) ? "ok" : "degraded"
    }
}
