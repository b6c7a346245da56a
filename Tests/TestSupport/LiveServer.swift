import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HTTPClient
import NIOCore
import ServiceLifecycle

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

extension ApplicationProtocol {
    /// Runs the application on the port its configuration names (`.live` tests always pick an
    /// ephemeral one) for the duration of `body`: for a service another one must know in advance.
    public func withServer<Value: Sendable>(
        onPort port: Int, _ body: @Sendable @escaping () async throws -> Value
    ) async throws -> Value {
        let group = ServiceGroup(configuration: .init(services: [self], logger: TestEnvironment.logger("service-group")))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await waitForPort(port)
                let value = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// Waits until something accepts connections on the local port.
public func waitForPort(_ port: Int, patience: Duration = .seconds(30)) async throws {
    let client = CurlHTTPClient()
    let deadline = SuspendingClock.now + patience
    while true {
        if (try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live", retry: .never))) != nil { return }
        guard SuspendingClock.now < deadline else { throw TestSetupError("nothing listens on port \(port)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
