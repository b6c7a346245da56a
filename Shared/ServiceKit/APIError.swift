import Contracts
import Hummingbird

/// An error a handler throws to answer with the contract's error envelope.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var details: [String: JSONValue]?
    /// Extra response headers (e.g. `Retry-After`).
    public var headers: [(name: String, value: String)]

    /// Creates an error; the HTTP status follows from `code`.
    public init(
        _ code: ErrorCode, _ message: String, details: [String: JSONValue]? = nil,
        headers: [(name: String, value: String)] = []
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var status: HTTPResponse.Status { .init(code: code.httpStatus) }
    public var description: String { "\(code): \(message)" }

    public static func notFound(_ what: String = "resource") -> APIError {
        APIError(.notFound, "\(what) not found")
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(.badRequest, message)
    }

    /// `validation_failed` with `details.fields` mapping each field to what is wrong with it.
    public static func validation(_ fields: [String: String]) -> APIError {
        APIError(
            .validationFailed, "request has invalid fields",
            details: ["fields": .object(fields.mapValues { .string($0) })])
    }

    public static func upstreamUnavailable(_ message: String) -> APIError {
        APIError(.upstreamUnavailable, message)
    }
}

/// A domain error a store or a state machine throws, with the contract's error it stands for.
/// The error middleware answers with ``apiError``, so handlers need not catch and translate.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
