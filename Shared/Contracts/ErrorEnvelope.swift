/// The body of every error response: `{"error": {"code", "message", "request_id", "details"}}`.
public struct ErrorEnvelope: Codable, Sendable, Equatable {
    /// The error itself.
    public var error: ErrorBody

    /// Wraps an error body.
    public init(error: ErrorBody) {
        self.error = error
    }
}

/// The inside of ``ErrorEnvelope``.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// A machine-readable code from the contract's table (`not_found`, `validation_failed`, …).
    public var code: String
    /// A human-readable sentence; never contains secrets or internals.
    public var message: String
    /// The request id of the request that failed.
    public var requestID: String?
    /// Extra structured information, e.g. `fields` for `validation_failed`.
    public var details: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case code, message, details
        case requestID = "request_id"
    }

    /// Creates an error body.
    public init(code: String, message: String, requestID: String? = nil, details: [String: JSONValue]? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.details = details
    }
}
