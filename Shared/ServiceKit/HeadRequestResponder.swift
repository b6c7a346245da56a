import HTTPTypes
import Hummingbird

/// Every `GET` route also answers `HEAD` (RFC 9110 §9.3.2). The router picks a route by
/// method before any middleware runs, so this wraps the router itself: a `HEAD` request is
/// routed as a `GET` and its response goes back with the same status and headers
/// (`Content-Length` included) and no body, errors too.
struct HeadRequestResponder<Base: HTTPResponder>: HTTPResponder where Base.Context == ServiceRequestContext {
    let base: Base

    func respond(to request: Request, context: ServiceRequestContext) async throws -> Response {
        guard request.method == .head else { return try await base.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var context = context
        context.isHeadRequest = true
        var response = try await base.respond(to: Request(head: head, body: request.body), context: context)
        let length = response.body.contentLength
        response.body = ResponseBody(contentLength: length) { writer in try await writer.finish(nil) }
        return response
    }
}
