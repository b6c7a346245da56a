/// A circuit breaker for one upstream, as a value type with no clock or I/O of its own.
///
/// Closed: requests flow; `failureThreshold` failures in a row open it. Open: requests fail
/// fast until `openDuration` has passed. Half-open: one probe request is let through; its
/// success closes the circuit, its failure opens it again.
public struct CircuitBreaker: Sendable, Equatable {
    /// Thresholds of a breaker.
    public struct Configuration: Sendable, Equatable {
        public var failureThreshold: Int
        public var openDuration: Duration

        /// Creates a configuration.
        public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(5)) {
            self.failureThreshold = max(1, failureThreshold)
            self.openDuration = openDuration
        }
    }

    /// The breaker's state.
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    /// Creates a closed breaker.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Whether a request may be sent now. Letting the half-open probe through marks it in flight.
    public mutating func allowRequest(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        case .halfOpen(let probeInFlight):
            if probeInFlight { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        }
    }

    /// The upstream answered properly.
    public mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    /// The upstream failed (transport error, timeout or 5xx).
    public mutating func recordFailure(now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures):
            if failures + 1 >= configuration.failureThreshold {
                state = .open(until: now + configuration.openDuration)
            } else {
                state = .closed(consecutiveFailures: failures + 1)
            }
        case .halfOpen:
            state = .open(until: now + configuration.openDuration)
        case .open:
            break
        }
    }

    /// Whether requests are currently refused without being sent.
    public func isOpen(now: ContinuousClock.Instant) -> Bool {
        if case .open(let until) = state { return now < until }
        return false
    }
}
