/// The error codes of the public contract, with the HTTP status each one travels with.
///
/// An open struct rather than an enum so a caller can carry a code it does not know yet.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The wire value, e.g. `"not_found"`.
    public var rawValue: String

    /// Wraps a wire value.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The wire value.
    public var description: String { rawValue }

    /// The HTTP status code the contract pairs with this code (500 for unknown codes).
    public var httpStatus: Int {
        Self.statuses[rawValue] ?? 500
    }

    public static let badRequest = ErrorCode(rawValue: "bad_request")
    public static let unauthorized = ErrorCode(rawValue: "unauthorized")
    public static let invalidCredentials = ErrorCode(rawValue: "invalid_credentials")
    public static let paymentDeclined = ErrorCode(rawValue: "payment_declined")
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    public static let notFound = ErrorCode(rawValue: "not_found")
    /// A known path asked with a method it does not serve; the response's `Allow` lists those it does.
    public static let methodNotAllowed = ErrorCode(rawValue: "method_not_allowed")
    public static let conflict = ErrorCode(rawValue: "conflict")
    public static let emailTaken = ErrorCode(rawValue: "email_taken")
    public static let insufficientStock = ErrorCode(rawValue: "insufficient_stock")
    public static let invalidTransition = ErrorCode(rawValue: "invalid_transition")
    public static let requestInProgress = ErrorCode(rawValue: "request_in_progress")
    public static let payloadTooLarge = ErrorCode(rawValue: "payload_too_large")
    public static let validationFailed = ErrorCode(rawValue: "validation_failed")
    public static let unknownProduct = ErrorCode(rawValue: "unknown_product")
    public static let idempotencyKeyReused = ErrorCode(rawValue: "idempotency_key_reused")
    public static let rateLimited = ErrorCode(rawValue: "rate_limited")
    public static let upstreamUnavailable = ErrorCode(rawValue: "upstream_unavailable")
    /// Not in the contract's table: a defect on our side. Still sent in the envelope.
    public static let internalError = ErrorCode(rawValue: "internal_error")

    private static let statuses: [String: Int] = [
        "bad_request": 400,
        "unauthorized": 401, "invalid_credentials": 401,
        "payment_declined": 402,
        "forbidden": 403,
        "not_found": 404,
        "method_not_allowed": 405,
        "conflict": 409, "email_taken": 409, "insufficient_stock": 409,
        "invalid_transition": 409, "request_in_progress": 409,
        "payload_too_large": 413,
        "validation_failed": 422, "unknown_product": 422, "idempotency_key_reused": 422,
        "rate_limited": 429,
        "upstream_unavailable": 503,
        "internal_error": 500,
    ]

    /// The code the contract uses for a bare HTTP status (used for framework errors such as
    /// an unmatched route, which carry only a status).
    public static func forStatus(_ status: Int) -> ErrorCode {
        switch status {
        case 400: .badRequest
        case 401: .unauthorized
        case 402: .paymentDeclined
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 413: .payloadTooLarge
        case 422: .validationFailed
        case 429: .rateLimited
        case 502, 503, 504: .upstreamUnavailable
        case 400..<500: .badRequest
        default: .internalError
        }
    }
}
