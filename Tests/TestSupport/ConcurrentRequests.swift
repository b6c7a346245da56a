import HTTPClient

/// Sends `count` requests at once, each on a connection of its own, and returns the answers in
/// request order. The HummingbirdTesting client has one connection and answers what it is given
/// one request after another, so tests of concurrent behaviour go through here.
public func sendConcurrently(
    _ count: Int, _ request: @escaping @Sendable (_ index: Int) -> HTTPClientRequest
) async throws -> [HTTPClientResponse] {
    let client = CurlHTTPClient(
        configuration: .init(
            timeout: .seconds(60), retry: .never, circuitBreaker: .init(failureThreshold: .max), maxConnectionsPerHost: count),
        logger: TestEnvironment.logger("concurrent-requests"))
    return try await withThrowingTaskGroup(of: (Int, HTTPClientResponse).self) { group in
        for index in 0..<count {
            group.addTask { (index, try await client.execute(request(index))) }
        }
        var responses = [HTTPClientResponse?](repeating: nil, count: count)
        for try await (index, response) in group { responses[index] = response }
        return responses.map { $0! }
    }
}
