import NIOCore
import NIOHTTP1

/// Sees a connection's bytes before the HTTP parser does, to tell ``HTTP1ConnectionGuard``
/// when a request has started arriving (the parser says nothing until its headers are complete).
final class RequestStartObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connectionGuard: HTTP1ConnectionGuard
    private var guardContext: ChannelHandlerContext?

    init(telling connectionGuard: HTTP1ConnectionGuard) {
        self.connectionGuard = connectionGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if guardContext == nil { guardContext = try? context.pipeline.syncOperations.context(handler: connectionGuard) }
        if let guardContext { connectionGuard.bytesArrived(guardContext) }
        context.fireChannelRead(data)
    }
}
