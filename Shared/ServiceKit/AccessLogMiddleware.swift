import Hummingbird
import Primitives

/// One log line per request: method, path, status and latency, with the request id from the logger's metadata.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.wholeMicroseconds
        context.logger.info(
            "request",
            metadata: [
                "method": "\(context.isHeadRequest ? "HEAD" : request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "latency_ms": "\(Double(micros) / 1000)",
            ])
        return response
    }
}
