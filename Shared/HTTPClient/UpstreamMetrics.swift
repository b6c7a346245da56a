import Metrics

/// One upstream's client metrics, labelled `upstream` (`scheme://host:port`): calls sent,
/// failures (no response, a timeout or a 5xx), latency of each call, and the circuit
/// breaker's state (0 closed, 1 half-open, 2 open).
struct UpstreamMetrics: Sendable {
    let calls: Counter
    let failures: Counter
    let duration: Timer
    let circuit: Gauge

    init(upstream: String) {
        let dimensions = [("upstream", upstream)]
        calls = Counter(label: "http_client_requests_total", dimensions: dimensions)
        failures = Counter(label: "http_client_failures_total", dimensions: dimensions)
        duration = Timer(label: "http_client_request_duration_seconds", dimensions: dimensions)
        circuit = Gauge(label: "http_client_circuit_state", dimensions: dimensions)
    }

    func publish(_ state: CircuitBreaker.State) {
        switch state {
        case .closed: circuit.record(0)
        case .halfOpen: circuit.record(1)
        case .open: circuit.record(2)
        }
    }
}

extension CurlHTTPClient {
    /// `# HELP` texts of the client's metrics, by name.
    public static let metricHelp = [
        "http_client_requests_total": "Calls sent to the upstream (each retry counts).",
        "http_client_failures_total": "Calls that got no response, timed out or got a 5xx.",
        "http_client_request_duration_seconds": "Duration of each call to the upstream.",
        "http_client_circuit_state": "The upstream's circuit breaker: 0 closed, 1 half-open, 2 open.",
    ]
}

/// An upstream's breaker with its metrics, kept together by the client.
struct Upstream: Sendable {
    var breaker: CircuitBreaker
    let metrics: UpstreamMetrics

    init(key: String, configuration: CircuitBreaker.Configuration) {
        breaker = CircuitBreaker(configuration: configuration)
        metrics = UpstreamMetrics(upstream: key)
    }
}
