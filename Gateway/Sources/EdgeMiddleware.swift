import Authentication
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Primitives
import ServiceKit

/// What the gateway does for every request before routing it: for `/api/v1/…`, find out who
/// is calling (an API key, a bearer token, or an anonymous IP), enforce the key's permissions
/// and the caller's rate limit, and put `RateLimit-*` headers on the answer (errors
/// included); for every request, queue its `api_logs` row.
///
/// A refused key or token counts against the caller's IP like an anonymous request, and once
/// that IP's limit is spent it gets 429, not 401: credentials cannot be guessed faster than
/// anonymous requests are allowed. A key not known lately is not even looked up then (the
/// look-up is a call to the User service).
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let verifier: TokenVerifier
    let keys: APIKeyResolver
    let limiter: SharedRateLimiter
    let logs: RequestLogWriter
    let limits: GatewayConfiguration.RateLimits

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        var response: Response
        var decision: TokenBucket.Decision?
        var subject: String?
        do {
            if request.uri.path.hasPrefix("/api/v1/") || request.uri.path == "/api/v1" {
                let ipBucket = "ip:\(context.remoteIP ?? "unknown")"
                if let key = request.headers[.apiKey], !keys.isKnown(key) {
                    let left = await limiter.peek(ipBucket, capacity: limits.anonymousPerIP)
                    decision = left
                    guard left.allowed else { throw Self.rateLimited(left) }
                }
                let bucket: (key: String, limit: Int)
                do {
                    bucket = try await authenticate(request, &context, subject: &subject)
                } catch {
                    // A refused key or token counts against the caller's IP; the answer carries
                    // the headers like every /api/v1 answer.
                    let taken = await limiter.take(ipBucket, capacity: limits.anonymousPerIP)
                    decision = taken
                    guard taken.allowed else { throw Self.rateLimited(taken) }
                    throw error
                }
                if !bucket.key.hasPrefix("ip:") { context.caller = bucket.key }
                let taken = await limiter.take(bucket.key, capacity: bucket.limit)
                decision = taken
                guard taken.allowed else { throw Self.rateLimited(taken) }
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
        let entry = APILogEntry(
            serviceName: UpstreamRoutes.upstream(for: request.uri.path)?.rawValue ?? "gateway", path: request.uri.path,
            method: context.isHeadRequest ? "HEAD" : request.method.rawValue, statusCode: Int(response.status.code),
            latencyMilliseconds: 0, userUID: subject, ipAddress: context.remoteIP, userAgent: request.headers[.userAgent],
            requestID: context.requestID, createdAt: Date())
        let logs = self.logs
        let log = { @Sendable in
            var entry = entry
            entry.latencyMilliseconds = (ContinuousClock.now - start).inSeconds * 1000
            logs.enqueue(entry)
        }
        guard response.headers[.contentType]?.hasPrefix("text/event-stream") == true else {
            log()
            return response
        }
        // An event stream is logged once, when it ends, with how long it was open.
        let body = response.body
        response.body = ResponseBody { writer in
            defer { log() }
            try await body.write(writer)
        }
        return response
    }

    static func rateLimited(_ decision: TokenBucket.Decision) -> APIError {
        APIError(.rateLimited, "too many requests; retry in \(decision.retryAfterSeconds) s",
                 headers: [("Retry-After", String(decision.retryAfterSeconds))])
    }

    /// Sets the principal for a bearer token and returns the rate-limit bucket for the caller.
    /// `subject` is who `api_logs` records, set as soon as it is known (a key refused for lack
    /// of a permission included): the user's uid, or `apikey:<id>` for an API key.
    private func authenticate(
        _ request: Request, _ context: inout Context, subject: inout String?
    ) async throws -> (key: String, limit: Int) {
        if let key = request.headers[.apiKey] {
            guard let resolved = try await keys.resolve(key) else { throw APIError(.unauthorized, "invalid API key") }
            subject = "apikey:\(resolved.id)"
            context.logger[metadataKey: "api_key_id"] = .string(resolved.id)
            guard let permission = UpstreamRoutes.keyPermission(method: request.method.rawValue, path: request.uri.path),
                resolved.permissions.contains(permission.rawValue)
            else { throw APIError(.forbidden, "this API key may not do that") }
            // The services learn the key's permissions from a token acting for it, never
            // from a credential the client sent alongside the key.
            context.upstreamAuthorization = "Bearer \(resolved.token)"
            return ("key:\(resolved.id)", resolved.rateLimit)
        }
        if let header = request.headers[.authorization] {
            let principal = try await verifier.principal(authorization: header, logger: context.logger)
            context.principal = principal
            subject = principal.uid
            return ("user:\(principal.uid)", limits.perUser)
        }
        return ("ip:\(context.remoteIP ?? "unknown")", limits.anonymousPerIP)
    }
}

extension HTTPField.Name {
    static let apiKey = HTTPField.Name("X-API-Key")!
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
