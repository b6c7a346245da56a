import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A response body as `T`.
public func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    do {
        return try contractDecoder.decode(T.self, from: Data(buffer: response.body))
    } catch {
        // Usually an error envelope where a result was expected: say which.
        throw TestSetupError("expected \(T.self), got \(response.status.code): \(String(buffer: response.body).prefix(500)) (\(error))")
    }
}

/// The `error.code` of an error response, if it is one.
public func errorCode(_ response: TestResponse) -> String? {
    (try? contractDecoder.decode(ErrorEnvelope.self, from: Data(buffer: response.body)))?.error.code
}

/// A JSON request body.
public func json(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
}

/// `Authorization: Bearer <token>`.
public func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

/// Whether `condition` came true within `seconds`, checked every `interval`.
public func eventually(
    within seconds: Double = 20, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = SuspendingClock.now + .seconds(seconds)
    while SuspendingClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return false
}
