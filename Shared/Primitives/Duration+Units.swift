extension Duration {
    /// Whole milliseconds, rounded down (timeouts and leases handed to C libraries and SQL).
    public var wholeMilliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }

    /// Whole microseconds, rounded down (latencies in logs and benchmarks).
    public var wholeMicroseconds: Int {
        Int(components.seconds) * 1_000_000 + Int(components.attoseconds / 1_000_000_000_000)
    }

    /// The duration in seconds as a floating-point number (rates, metrics).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
