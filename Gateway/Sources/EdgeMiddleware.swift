import Authentication
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// What the gateway does for every request before routing it: for `/api/v1/…`, find out who
/// is calling (an API key, a bearer token, or an anonymous IP), enforce the key's permissions
/// and the caller's rate limit, and put `RateLimit-*` headers on the answer (errors
/// included); for every request, queue its `api_logs` row.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let verifier: TokenVerifier
    let keys: APIKeyResolver
    let limiter: RateLimiter
    let logs: RequestLogWriter
    let limits: GatewayConfiguration.RateLimits

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        var response: Response
        var decision: TokenBucket.Decision?
        var caller: Caller?
        do {
            if request.uri.path.hasPrefix("/api/v1/") || request.uri.path == "/api/v1" {
                let known: Caller
                do {
                    known = try await authenticate(request, &context)
                } catch {
                    // A refused key or token still counts against the caller's IP, and the
                    // answer carries the headers like every /api/v1 answer.
                    decision = limiter.take("ip:\(context.remoteIP ?? "unknown")", capacity: limits.anonymousPerIP)
                    throw error
                }
                caller = known
                let taken = limiter.take(known.bucket, capacity: known.limit)
                decision = taken
                guard taken.allowed else {
                    throw APIError(.rateLimited, "too many requests; retry in \(taken.retryAfterSeconds) s",
                                   headers: [("Retry-After", String(taken.retryAfterSeconds))])
                }
            }
            response = try await next(request, context)
        } catch {
            response = ErrorEnvelopeMiddleware.response(for: ErrorEnvelopeMiddleware.apiError(for: error), requestID: context.requestID)
        }
        if let decision {
            response.headers[.rateLimitLimit] = String(decision.limit)
            response.headers[.rateLimitRemaining] = String(decision.remaining)
            response.headers[.rateLimitReset] = String(decision.resetSeconds)
        }
        let elapsed = ContinuousClock.now - start
        logs.enqueue(APILogEntry(
            serviceName: UpstreamRoutes.upstream(for: request.uri.path)?.rawValue ?? "gateway", path: request.uri.path,
            method: request.method.rawValue, statusCode: Int(response.status.code),
            latencyMilliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
            userUID: caller?.uid, ipAddress: context.remoteIP, userAgent: request.headers[.userAgent],
            requestID: context.requestID, createdAt: Date()))
        return response
    }

    /// Who is calling: the rate-limit bucket and its size, and the subject `api_logs` records
    /// (the user's uid, `apikey:<id>` for a key, none for an anonymous caller).
    struct Caller {
        var bucket: String
        var limit: Int
        var uid: String?
    }

    /// Sets the principal for a bearer token and returns the caller.
    private func authenticate(_ request: Request, _ context: inout Context) async throws -> Caller {
        if let key = request.headers[.apiKey] {
            guard let resolved = try await keys.resolve(key) else { throw APIError(.unauthorized, "invalid API key") }
            guard let permission = APIKeyResolver.requiredPermission(method: request.method.rawValue, path: request.uri.path),
                resolved.permissions.contains(permission.rawValue)
            else { throw APIError(.forbidden, "this API key may not do that") }
            context.logger[metadataKey: "api_key_id"] = .string(resolved.id)
            // The services learn the key's permissions from a token acting for it, never
            // from a credential the client sent alongside the key.
            context.upstreamAuthorization = "Bearer \(resolved.token)"
            return Caller(bucket: "key:\(resolved.id)", limit: resolved.rateLimit, uid: "apikey:\(resolved.id)")
        }
        if let header = request.headers[.authorization] {
            let principal = try await verifier.principal(authorization: header, logger: context.logger)
            context.principal = principal
            return Caller(bucket: "user:\(principal.uid)", limit: limits.perUser, uid: principal.uid)
        }
        return Caller(bucket: "ip:\(context.remoteIP ?? "unknown")", limit: limits.anonymousPerIP, uid: nil)
    }
}

extension HTTPField.Name {
    static let apiKey = HTTPField.Name("X-API-Key")!
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
