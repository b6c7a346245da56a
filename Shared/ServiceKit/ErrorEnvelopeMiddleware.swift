import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Postgres

/// Turns every error into the contract's envelope: Hummingbird's own (an unmatched route, a
/// body that does not decode, a body too large) included. Nothing leaves as a bare 500.
public struct ErrorEnvelopeMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.code == .internalError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            } else if apiError.code == .upstreamUnavailable {
                context.logger.warning("dependency unavailable", metadata: ["error": "\(String(reflecting: error))"])
            }
            return Self.response(for: apiError, requestID: context.requestID)
        }
    }

    /// The API error a thrown error stands for.
    public static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as any APIErrorConvertible:
            return error.apiError
        case let error as PostgresError:
            return APIError(error) ?? APIError(.internalError, "internal error")
        case let error as HTTPError:
            let code = ErrorCode.forStatus(Int(error.status.code))
            let message = error.body ?? error.status.reasonPhrase
            return APIError(code, code == .notFound ? "no such route or resource" : message)
        case is HTTPParserError:
            // The body broke off in a way HTTP/1.1 forbids (a bad chunk size): RFC 9112 says 400.
            return APIError(.badRequest, "the request's body framing is invalid")
        case is DecodingError:
            return APIError(.badRequest, "the request body is not valid JSON of the expected shape")
        case let error as any HTTPResponseError:
            let code = ErrorCode.forStatus(Int(error.status.code))
            return APIError(code, error.status.reasonPhrase)
        default:
            return APIError(.internalError, "internal error")
        }
    }

    /// The envelope response for an error.
    public static func response(for error: APIError, requestID: String) -> Response {
        let envelope = ErrorEnvelope(
            error: ErrorBody(code: error.code.rawValue, message: error.message, requestID: requestID, details: error.details))
        let body = (try? JSONEncoder().encode(envelope)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
