/// One readiness check: a name and a probe that throws when the dependency is not usable.
public struct ReadinessCheck: Sendable {
    public let name: String
    public let probe: @Sendable () async throws -> Void

    /// Creates a check.
    public init(name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}
