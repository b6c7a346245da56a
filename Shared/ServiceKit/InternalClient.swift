import Contracts
import Foundation
import HTTPClient
import HTTPTypes

/// Another service's internal routes (`/internal/…`), called the one way every service calls
/// them: below the peer's base URL, with `INTERNAL_TOKEN` in `X-Internal-Token`, the current
/// request's `X-Request-ID` (the HTTP client adds it from the task), a timeout, and the
/// contract's error for a peer that cannot be asked (503 `upstream_unavailable`).
public struct InternalClient: Sendable {
    /// The HTTP client (libcurl) the calls go through.
    public let http: CurlHTTPClient
    /// The peer's name in messages and logs: `user`, `product`, `order`.
    public let service: String
    /// `http://host:port`, without a trailing slash.
    public let baseURL: String
    /// How long one call may take.
    public let timeout: Duration
    private let token: String?

    /// A client of the peer at `baseURL`; `token` is `INTERNAL_TOKEN` (none: an empty header,
    /// which a peer with a token refuses).
    public init(http: CurlHTTPClient, service: String, baseURL: String, token: String?, timeout: Duration = .seconds(5)) {
        self.http = http
        self.service = service
        self.baseURL = baseURL
        self.token = token
        self.timeout = timeout
    }

    /// The same peer with another timeout.
    public func timeout(_ timeout: Duration) -> InternalClient {
        InternalClient(http: http, service: service, baseURL: baseURL, token: token, timeout: timeout)
    }

    /// `method` on `path` (absolute, already encoded; see ``segment(_:)``) with `query` encoded.
    public func request(_ method: String = "GET", _ path: String, query: [(String, String)] = []) -> HTTPClientRequest {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        return HTTPClientRequest(method: method, url: url, headers: [(HTTPField.Name.internalToken.rawName, token ?? "")], timeout: timeout)
    }

    /// `method` on `path` with `body` as JSON.
    public func request(_ method: String, _ path: String, json body: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws
        -> HTTPClientRequest
    {
        var request = request(method, path)
        request.headers.append(("Content-Type", "application/json"))
        request.body = Array(try encoder.encode(body))
        return request
    }

    /// Sends a request as it is: the caller reads the status (a saga step tells a 409 from a
    /// 5xx). Throws the HTTP client's error when no answer came.
    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        try await http.execute(request)
    }

    /// A 2xx answer decoded as `T`. Anything else is 503 `upstream_unavailable` naming the
    /// peer and `what` it was asked for.
    public func fetch<T: Decodable>(_ type: T.Type, _ request: HTTPClientRequest, what: String, decoder: JSONDecoder = contractDecoder)
        async throws -> T
    {
        let response: HTTPClientResponse
        do {
            response = try await send(request)
        } catch {
            throw APIError.upstreamUnavailable("the \(service) service's \(what) cannot be read")
        }
        guard response.isSuccess, let value = try? response.decode(T.self, decoder: decoder) else {
            throw APIError.upstreamUnavailable("the \(service) service's \(what) answered \(response.status)")
        }
        return value
    }

    /// One path segment, percent-encoded (a `/` in it stays part of the segment).
    public static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value
    }

    private static let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    private static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
