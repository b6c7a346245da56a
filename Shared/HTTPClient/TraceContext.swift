import Primitives

/// A W3C Trace Context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`): the trace a request
/// belongs to and the span that is handling it here. The service kit's middleware continues
/// the caller's trace (or starts one) for each request and puts it in ``current``; the HTTP
/// client sends it on every call made meanwhile, so one trace id follows a request through
/// every service, and every log line carries it.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// This span's id: 16 lowercase hex digits, not all zero.
    public let spanID: String
    /// The trace flags (bit 0: sampled), as two hex digits.
    public let flags: String
    /// The caller's span, when the request came with a `traceparent`.
    public var parentSpanID: String? = nil

    /// The trace being handled by the current task, if any.
    @TaskLocal public static var current: TraceContext?

    /// A new span of the trace in `traceparent` when that header is valid, else the first span of a new trace.
    public static func continuing(_ traceparent: String?) -> TraceContext {
        let spanID = randomHex(bytes: 8)
        if let traceparent, let parent = parse(traceparent) {
            return TraceContext(traceID: parent.traceID, spanID: spanID, flags: parent.flags, parentSpanID: parent.spanID)
        }
        return TraceContext(traceID: randomHex(bytes: 16), spanID: spanID, flags: "01")
    }

    /// The `traceparent` value naming this span as the parent of a call it makes.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    /// Parses a version-00 (or later, per the specification's forward compatibility) header.
    public static func parse(_ value: String) -> TraceContext? {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, isHex(parts[0]), parts[0] != "ff",
            parts[0] != "00" || parts.count == 4,
            parts[1].count == 32, isHex(parts[1]), parts[1].contains(where: { $0 != "0" }),
            parts[2].count == 16, isHex(parts[2]), parts[2].contains(where: { $0 != "0" }),
            parts[3].count == 2, isHex(parts[3])
        else { return nil }
        return TraceContext(traceID: String(parts[1]), spanID: String(parts[2]), flags: String(parts[3]))
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let text = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexEncoded
            if text.contains(where: { $0 != "0" }) { return text }
        }
    }
}
