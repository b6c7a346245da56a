import HTTPClient
import Logging

extension Logger.MetadataProvider {
    /// `request_id` and `trace_id` of the request the current task is handling, on every log
    /// line whichever logger writes it, so one request's path through the services is one grep.
    public static let requestScope = Logger.MetadataProvider {
        var metadata: Logger.Metadata = [:]
        if let requestID = RequestIDPropagation.current { metadata["request_id"] = .string(requestID) }
        if let trace = TraceContext.current {
            metadata["trace_id"] = .string(trace.traceID)
            metadata["span_id"] = .string(trace.spanID)
            if let parent = trace.parentSpanID { metadata["parent_span_id"] = .string(parent) }
        }
        return metadata
    }
}
