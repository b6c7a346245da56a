import Foundation

extension CurlHTTPClient {
    /// Sends a request and decodes a 2xx response's JSON body as `T`.
    ///
    /// A non-2xx response throws ``UnexpectedStatus`` carrying the response, so the caller can
    /// read the upstream's error envelope.
    public func decoding<T: Decodable>(
        _ type: T.Type, from request: HTTPClientRequest, decoder: JSONDecoder = JSONDecoder()
    ) async throws -> T {
        let response = try await execute(request)
        guard response.isSuccess else { throw UnexpectedStatus(response: response) }
        return try response.decode(T.self, decoder: decoder)
    }

    /// `GET url` decoded as `T`.
    public func get<T: Decodable>(
        _ url: String, as type: T.Type, headers: [(name: String, value: String)] = []
    ) async throws -> T {
        try await decoding(T.self, from: HTTPClientRequest(method: "GET", url: url, headers: headers))
    }
}

/// An upstream answered, but not with 2xx.
public struct UnexpectedStatus: Error, Sendable, CustomStringConvertible {
    public let response: HTTPClientResponse

    public init(response: HTTPClientResponse) {
        self.response = response
    }

    public var description: String {
        "unexpected status \(response.status)"
    }
}
