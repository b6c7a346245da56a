import Foundation
import Logging
import Metrics
import Prometheus
import Synchronization

/// Process-wide logging and metrics set-up, done once by each executable's `main`.
public enum Observability {
    /// The registry `/metrics` reads; swift-metrics reports into it once bootstrapped.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped = Mutex(false)
    private static let helpTexts = Mutex<[String: String]>(serverMetricHelp)

    /// Adds `# HELP` texts for metrics by name (swift-metrics has no place for them);
    /// `/metrics` writes each before its metric's `# TYPE` line.
    public static func describe(_ help: [String: String]) {
        helpTexts.withLock { $0.merge(help) { $1 } }
    }

    /// Every `# HELP` text known so far.
    public static var help: [String: String] { helpTexts.withLock { $0 } }

    private static let serverMetricHelp = [
        "http_server_requests_total": "Requests answered, by route, method and status.",
        "http_server_request_errors_total": "Requests whose handler threw, by route, method and status.",
        "http_server_request_duration_seconds": "Time to answer a request, by route, method and status.",
        "http_server_active_requests": "Requests being handled now, by method.",
    ]

    /// Routes swift-log to ``JSONLogHandler`` and swift-metrics to Prometheus. Only the first call has an effect.
    public static func bootstrap(service: String, logLevel: Logger.Level) {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap(
            { _, provider in
                var handler = JSONLogHandler(service: service, level: logLevel)
                handler.metadataProvider = provider
                return handler
            }, metadataProvider: .requestScope)
        MetricsSystem.bootstrap(metricsFactory())
    }

    /// Prometheus with latency buckets from 1 ms (database reads and cached requests take
    /// about that) to 10 s, and Hummingbird's OpenTelemetry-style names given Prometheus'
    /// conventions (`_total` on counters, `_seconds` on durations, short label names).
    static func metricsFactory() -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .microseconds(2_500_000), .seconds(5), .seconds(10),
        ]
        factory.nameAndLabelSanitizer = { name, labels in
            (metricNames[name] ?? name, labels.map { (labelNames[$0.0] ?? $0.0, $0.1) })
        }
        return factory
    }

    private static let metricNames = [
        "hb.requests": "http_server_requests_total",
        "hb.request.errors": "http_server_request_errors_total",
        "http.server.request.duration": "http_server_request_duration_seconds",
        "http.server.active_requests": "http_server_active_requests",
    ]

    private static let labelNames = [
        "http.route": "route",
        "http.request.method": "method",
        "http.response.status_code": "status",
        "error.type": "status",
    ]
}
