import Contracts
import HTTPClient

extension HTTPClientResponse {
    /// The contract's error envelope, when the body is one.
    public var errorEnvelope: ErrorEnvelope? {
        try? decode(ErrorEnvelope.self)
    }
}
