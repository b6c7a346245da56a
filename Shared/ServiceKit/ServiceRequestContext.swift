import Hummingbird

/// The request context every service and the gateway use: Hummingbird's core context plus
/// the request id assigned by ``RequestIDMiddleware``.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's `X-Request-ID` (the client's if it sent a usable one).
    public var requestID: String
    /// The connection's peer address, `ip:port` (what the gateway logs and rate-limits by).
    public let remoteAddress: String?

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
