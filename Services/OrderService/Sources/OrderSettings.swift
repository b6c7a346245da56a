import Foundation
import Postgres
import Primitives
import ServiceKit

/// The Order service's own settings, read from the environment (names in docs/order-service.md).
struct OrderSettings: Sendable {
    /// `TAX_RATE` (default `0.08`), a decimal fraction.
    var taxRate: Decimal
    /// `ORDER_SAGA_TIMEOUT_MS` (default 10000): a saga not ended within this is taken over by the recovery worker.
    var sagaTimeout: Duration
    /// `UPSTREAM_TIMEOUT_MS` (default 3000): the limit for one call to the User or Product service.
    var upstreamTimeout: Duration
    /// `ORDER_SAGA_FAULT_POINT`: for crash tests only; inert unless set.
    var faultPoint: FaultPoint?

    init(environment: [String: String]) throws {
        taxRate = try Self.decimal("TAX_RATE", environment, default: Decimal(string: "0.08")!, range: 0...1)
        sagaTimeout = .milliseconds(try Self.milliseconds("ORDER_SAGA_TIMEOUT_MS", environment, default: 10_000))
        upstreamTimeout = .milliseconds(try Self.milliseconds("UPSTREAM_TIMEOUT_MS", environment, default: 3_000))
        faultPoint = try environment["ORDER_SAGA_FAULT_POINT"].flatMap { $0.isEmpty ? nil : try FaultPoint(parsing: $0) }
    }

    private static func decimal(
        _ name: String, _ environment: [String: String], default value: Decimal, range: ClosedRange<Decimal>
    ) throws -> Decimal {
        guard let text = environment[name] else { return value }
        // Decimal(string:) reads a numeric prefix ("eight" is 0), so the text is checked first.
        let isDecimal = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && text.filter { $0 == "." }.count <= 1
        guard isDecimal, let parsed = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), range.contains(parsed) else {
            throw ConfigurationError(variable: name, reason: "must be a decimal from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    private static func milliseconds(_ name: String, _ environment: [String: String], default value: Int) throws -> Int {
        try environment.integerVariable(name, in: 1...3_600_000, reason: "must be milliseconds from 1 to 3600000") ?? value
    }
}
