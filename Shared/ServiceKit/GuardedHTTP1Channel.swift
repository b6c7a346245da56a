import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with ``HTTP1ConnectionGuard`` put between NIO's parser and
/// Hummingbird, and ``RequestStartObserver`` in front of the parser.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let limits: ConnectionLimits
    let counts: ConnectionCounts

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let parser = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let connectionGuard = HTTP1ConnectionGuard(limits: limits, counts: counts)
            try pipeline.addHandler(connectionGuard, position: .after(parser))
            try pipeline.addHandler(RequestStartObserver(telling: connectionGuard), position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the connection limits and framing rules of ``HTTP1ConnectionGuard``.
    static func guardedHTTP1(_ limits: ConnectionLimits) -> HTTPServerBuilder {
        let counts = ConnectionCounts(limit: limits.maxConnectionsPerIP)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(base: HTTP1Channel(responder: responder), limits: limits, counts: counts)
        }
    }
}
