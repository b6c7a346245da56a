import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The request context every service and the gateway use: Hummingbird's core context plus
/// the request id assigned by ``RequestIDMiddleware``.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's `X-Request-ID` (the client's if it sent a usable one).
    public var requestID: String
    /// The connection's peer address, `ip:port` (what the gateway logs and rate-limits by).
    public let remoteAddress: String?
    /// The authenticated caller, set by the authentication middleware.
    public var principal: Principal?
    /// Set by the gateway for an API-key request: the `Authorization` the services get in
    /// place of the client's (a token acting for the key).
    public var upstreamAuthorization: String?
    /// Set by the gateway: who is calling, `user:<uid>` or `key:<id>` (`nil`: anonymous), the
    /// name its rate limit and its open event streams are counted under.
    public var caller: String?
    /// The client sent `HEAD`; ``HeadRequestResponder`` routes it as `GET` and drops the body.
    public var isHeadRequest = false

    /// Request bodies are read as the API writes JSON: dates as any RFC 3339 date-time.
    public var requestDecoder: JSONDecoder { contractDecoder }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress.flatMap { address in
            address.ipAddress.map { "\($0):\(address.port ?? 0)" }
        }
    }

    /// The peer's IP address without the port.
    public var remoteIP: String? {
        guard let remoteAddress, let colon = remoteAddress.lastIndex(of: ":") else { return nil }
        return String(remoteAddress[..<colon])
    }
}

extension ServiceRequestContext {
    /// The client's IP: the last `X-Forwarded-For` entry, the one the gateway appended (earlier
    /// entries come from the client and prove nothing), else the connection's peer.
    public func clientIP(_ request: Request) -> String? {
        if let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").last {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteIP
    }
}
