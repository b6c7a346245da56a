import HTTPClient
import Testing

/// W3C `traceparent` parsing and continuation.
@Suite struct TraceContextTests {
    @Test func continuesAValidTraceWithANewSpan() throws {
        let trace = TraceContext.continuing("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentSpanID == "00f067aa0ba902b7")
        #expect(trace.spanID != "00f067aa0ba902b7")
        #expect(trace.spanID.count == 16)
        #expect(trace.flags == "01")
        #expect(TraceContext.parse(trace.traceparent)?.spanID == trace.spanID)
    }

    @Test(arguments: [
        nil, "", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    ])
    func startsANewTraceForAnInvalidHeader(header: String?) {
        let trace = TraceContext.continuing(header)
        #expect(trace.traceID.count == 32)
        #expect(trace.traceID != "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentSpanID == nil)
        #expect(TraceContext.parse(trace.traceparent) != nil)
    }

    @Test func laterVersionsMayAddFields() {
        #expect(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future")?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }
}
