import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

extension ApplicationProtocol {
    /// Runs the application on a real socket (an ephemeral port) for the duration of `body`.
    public func withLiveServer<Value: Sendable>(
        _ body: @Sendable @escaping (_ baseURL: String) async throws -> Value
    ) async throws -> Value {
        try await test(.live) { client in
            guard let port = client.port else { throw TestSetupError("live test server has no port") }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}

extension TestClientProtocol {
    /// Sends one request and returns the whole response.
    public func send(
        _ uri: String, _ method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: method, headers: headers, body: body)
    }
}
