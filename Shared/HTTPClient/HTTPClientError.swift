/// Why a request got no response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be used.
    case invalidURL(String)
    /// No connection could be made (refused, unreachable, name not resolved, connect timeout).
    case connectFailed(upstream: String)
    /// The exchange did not finish within its timeout.
    case timeout(upstream: String)
    /// The connection broke or the upstream sent something that is not HTTP.
    case transport(upstream: String, code: Int, message: String)
    /// The upstream's circuit is open after repeated failures; the request was not sent.
    case circuitOpen(upstream: String)
    /// The client has been shut down.
    case shutDown

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid URL \(url)"
        case .connectFailed(let upstream): "cannot connect to \(upstream)"
        case .timeout(let upstream): "\(upstream) did not answer in time"
        case .transport(let upstream, let code, let message): "transport error \(code) with \(upstream): \(message)"
        case .circuitOpen(let upstream): "circuit open for \(upstream)"
        case .shutDown: "HTTP client is shut down"
        }
    }
}
