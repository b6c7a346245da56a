import HTTPClient
import HTTPTypes
import Hummingbird

/// Continues the caller's W3C trace (its `traceparent`) or starts one, for the rest of the
/// request: the HTTP client sends it on every call to another service, and every log line
/// written meanwhile carries its `trace_id` (``Logger/MetadataProvider/requestScope``).
public struct TraceContextMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let trace = TraceContext.continuing(request.headers[.traceparent])
        return try await TraceContext.$current.withValue(trace) { try await next(request, context) }
    }
}

extension HTTPField.Name {
    public static let traceparent = HTTPField.Name("traceparent")!
}
