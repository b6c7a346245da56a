import Testing

@testable import HTTPClient

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    let start = ContinuousClock.now
    let configuration = CircuitBreaker.Configuration(failureThreshold: 3, openDuration: .seconds(5))

    @Test func opensAfterConsecutiveFailures() {
        var breaker = CircuitBreaker(configuration: configuration)
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        let result1 = breaker.allowRequest(now: start)
        #expect(result1)
        breaker.recordFailure(now: start)
        #expect(breaker.state == .open(until: start + .seconds(5)))
        let result2 = breaker.allowRequest(now: start + .seconds(4))
        #expect(!result2)
    }

    @Test func aSuccessResetsTheFailureCount() {
        var breaker = CircuitBreaker(configuration: configuration)
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        breaker.recordSuccess()
        breaker.recordFailure(now: start)
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test func halfOpenLetsOneProbeThrough() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        let later = start + .seconds(6)
        let result3 = breaker.allowRequest(now: later)
        #expect(result3)
        #expect(breaker.state == .halfOpen(probeInFlight: true))
        let result4 = breaker.allowRequest(now: later)
        #expect(!result4)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test func aFailedProbeOpensAgain() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        let later = start + .seconds(6)
        let result5 = breaker.allowRequest(now: later)
        #expect(result5)
        breaker.recordFailure(now: later)
        #expect(breaker.state == .open(until: later + .seconds(5)))
        #expect(breaker.isOpen(now: later + .seconds(1)))
    }

    @Test func retryDelaysStayUnderTheCap() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40))
        for attempt in 1...10 {
            let delay = policy.delay(after: attempt)
            #expect(delay >= .zero && delay <= .milliseconds(40))
        }
        #expect(RetryPolicy.isRetryable(status: 503))
        #expect(!RetryPolicy.isRetryable(status: 500))
    }
}
