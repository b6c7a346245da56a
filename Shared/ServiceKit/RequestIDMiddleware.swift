import Foundation
import HTTPClient
import HTTPTypes
import Hummingbird

/// Assigns every request an id (the client's `X-Request-ID` when it is usable), puts it in
/// the logger's metadata and in the task-local that the HTTP client forwards, and returns
/// it on the response.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let requestID = request.headers[.requestID].flatMap(Self.usable) ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response = try await RequestIDPropagation.$current.withValue(requestID) {
            try await next(request, context)
        }
        response.headers[.requestID] = requestID
        return response
    }

    /// A client id is kept if it is 1–128 visible ASCII characters (it ends up in logs).
    static func usable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
        else { return nil }
        return value
    }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
}
