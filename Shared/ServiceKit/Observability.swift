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

    /// Routes swift-log to ``JSONLogHandler`` and swift-metrics to Prometheus. Only the first call has an effect.
    public static func bootstrap(service: String, logLevel: Logger.Level) {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { _ in JSONLogHandler(service: service, level: logLevel) }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}
