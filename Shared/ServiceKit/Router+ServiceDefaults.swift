import Hummingbird
import Postgres

extension Router where Context == ServiceRequestContext {
    /// Installs what every service shares, before any of its own routes: metrics, request
    /// ids, trace context, access logs and error envelopes on every request (unmatched routes included),
    /// `/health/live`, `/health/ready` (each check bounded by `readinessTimeout`) and `/metrics`
    /// (running `collectors` before each scrape).
    public func addServiceDefaults(
        readiness: [ReadinessCheck], readinessTimeout: Duration = .seconds(2), collectors: [@Sendable () -> Void] = []
    ) {
        add(middleware: MetricsMiddleware())
        add(middleware: RequestIDMiddleware())
        add(middleware: TraceContextMiddleware())
        add(middleware: AccessLogMiddleware())
        add(middleware: ErrorEnvelopeMiddleware())
        addRoutes(HealthController(checks: readiness, timeout: readinessTimeout).endpoints, atPath: "/health")
        addRoutes(MetricsController(collectors: collectors).endpoints, atPath: "/metrics")
    }
}

extension ReadinessCheck {
    /// The service's own database answers `SELECT 1`.
    public static func database(_ pool: PostgresPool) -> ReadinessCheck {
        ReadinessCheck(name: "database") { try await pool.query("SELECT 1") }
    }
}
