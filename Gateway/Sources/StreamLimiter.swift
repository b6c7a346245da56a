import Metrics
import ServiceKit
import Synchronization

/// Counts the event streams open through this gateway replica, per caller (a user or an
/// API key), per client IP and in all, and refuses one past any bound with 429.
final class StreamLimiter: Sendable {
    /// One open stream's place in the counts, given back once (``release()``) when it ends.
    final class Lease: Sendable {
        private let limiter: StreamLimiter
        private let caller: String?
        private let ip: String
        private let released = Atomic<Bool>(false)

        fileprivate init(limiter: StreamLimiter, caller: String?, ip: String) {
            self.limiter = limiter
            self.caller = caller
            self.ip = ip
        }

        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            limiter.release(caller: caller, ip: ip)
        }

        deinit { release() }
    }

    private struct Counts {
        var byCaller: [String: Int] = [:]
        var byIP: [String: Int] = [:]
        var total = 0
    }

    static let metricHelp = ["gateway_event_streams_open": "Event streams open through this gateway replica."]

    private let limits: GatewayConfiguration.StreamLimits
    private let counts = Mutex(Counts())
    private let open = Gauge(label: "gateway_event_streams_open")

    init(limits: GatewayConfiguration.StreamLimits) {
        self.limits = limits
    }

    /// A lease for one more stream, or 429 `rate_limited` naming the bound reached.
    func open(caller: String?, ip: String) throws -> Lease {
        let refusal = counts.withLock { counts -> String? in
            if counts.total >= limits.total { return "the gateway has \(limits.total) event streams open" }
            if counts.byIP[ip, default: 0] >= limits.perIP { return "\(limits.perIP) event streams are open from this address" }
            if let caller, counts.byCaller[caller, default: 0] >= limits.perUser { return "\(limits.perUser) event streams are open for this caller" }
            counts.total += 1
            counts.byIP[ip, default: 0] += 1
            if let caller { counts.byCaller[caller, default: 0] += 1 }
            open.record(counts.total)
            return nil
        }
        if let refusal { throw APIError(.rateLimited, "\(refusal); close one first") }
        return Lease(limiter: self, caller: caller, ip: ip)
    }

    private func release(caller: String?, ip: String) {
        counts.withLock { counts in
            counts.total -= 1
            counts.byIP[ip] = counts.byIP[ip].flatMap { $0 > 1 ? $0 - 1 : nil }
            if let caller { counts.byCaller[caller] = counts.byCaller[caller].flatMap { $0 > 1 ? $0 - 1 : nil } }
            open.record(counts.total)
        }
    }
}
