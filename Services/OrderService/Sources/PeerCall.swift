import Contracts
import HTTPClient

/// What one saga step against another service came to.
enum StepOutcome<Value: Sendable>: Sendable {
    case completed(Value)
    /// `uncertain`: the request may have taken effect (it was sent and no answer came back).
    case failed(SagaFailure, uncertain: Bool)
}

/// Turns an HTTP client error into a step failure: `upstream_unavailable`, uncertain unless
/// the request provably never left (no connection, or the circuit is open).
func unavailable(_ service: String, _ error: any Error) -> (SagaFailure, uncertain: Bool) {
    let failure = SagaFailure(.upstreamUnavailable, "the \(service) service is unavailable")
    switch error as? HTTPClientError {
    case .connectFailed, .circuitOpen, .invalidURL, .shutDown: return (failure, false)
    case .timeout, .transport, nil: return (failure, true)
    }
}

/// A response a step did not expect (a 5xx, or an error of the peer's own): `upstream_unavailable`,
/// uncertain for a 5xx (the peer may have acted before failing).
func unexpected(_ service: String, _ response: HTTPClientResponse) -> (SagaFailure, uncertain: Bool) {
    (SagaFailure(.upstreamUnavailable, "the \(service) service answered \(response.status)"), response.status >= 500)
}
