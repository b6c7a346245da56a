import Foundation
import Hummingbird
import Logging
import ServiceKit

/// Reads `Authorization: Bearer <token>`: a valid token makes its user the request's
/// ``ServiceKit/Principal``; an invalid one is 401 at once; no header leaves the request
/// anonymous, for routes to accept or refuse (`context.requireUser()`). A user signed in with
/// another provider's token has their profile made on first use (``FirstUseProvisioning``).
/// The request of an
/// admin or an API key runs with its database work attributed to the caller, for the audit
/// trail (``ServiceKit/AuditTrail/withActor(_:requestID:_:)``).
public struct BearerAuthMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let verifier: TokenVerifier
    let provisioning: FirstUseProvisioning?

    public init(verifier: TokenVerifier, provisioning: FirstUseProvisioning? = nil) {
        self.verifier = verifier
        self.provisioning = provisioning
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        let principal = try await verifier.principal(authorization: header, logger: context.logger)
        context.principal = principal
        context.logger[metadataKey: "user_uid"] = .string(principal.uid)
        try await provisioning?.ensure(principal)
        return try await AuditTrail.withActor(principal, requestID: context.requestID) { try await next(request, context) }
    }
}

extension TokenVerifier {
    /// The caller named by an `Authorization` header value, or the API error to answer with:
    /// 401 for anything but a valid `Bearer` token, 503 when the signing keys cannot be fetched.
    public func principal(authorization header: String, logger: Logger) async throws -> Principal {
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError(.unauthorized, "the Authorization header must be 'Bearer <token>'")
        }
        do {
            return try await verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } catch AuthenticationError.keysUnavailable {
            throw APIError.upstreamUnavailable("the signing keys cannot be fetched to check the token")
        } catch {
            logger.info("token refused", metadata: ["reason": "\(error)"])
            throw APIError(.unauthorized, "invalid or expired token")
        }
    }
}
