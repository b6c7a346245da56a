import HTTPTypes
import Hummingbird

/// Guards `/internal/…` routes, which only the stack's own services call: the request must
/// carry `X-Internal-Token` equal to `INTERNAL_TOKEN`. Without a configured token every
/// internal call is refused. The gateway never routes `/internal/…` and drops client-sent
/// `X-Internal-*` headers, so the token cannot come from outside through it.
public struct InternalTokenMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let token: String?

    public init(token: String?) {
        self.token = token
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token, let presented = request.headers[.internalToken], Self.constantTimeEqual(presented, token) else {
            throw APIError(.unauthorized, "internal endpoint: a valid X-Internal-Token is required")
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so timing does not reveal the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    public static let internalToken = HTTPField.Name("X-Internal-Token")!
}
