// Over 250 lines: one channel handler, its state and the HTTP/1.1 rules it enforces read
// best in one place (each rule is a few lines next to the state it reads).
import Contracts
import Foundation
import NIOCore
import NIOHTTP1

/// What every HTTP/1 connection of a service is held to, between NIO's HTTP parser and
/// Hummingbird, where the HTTP version and the raw headers are still known:
///
/// - framing: a request the parser refuses (a bad request line or chunk size, a NUL in a
///   header, headers too large, `Content-Length` with `Transfer-Encoding`), and an HTTP/1.1
///   request without exactly one `Host` (RFC 9112 §3.2), get 400 `bad_request` in the
///   contract's envelope with an `X-Request-ID`, and the connection is closed;
/// - a request that does not keep the connection alive (HTTP/1.0 without `keep-alive`, or
///   `Connection: close`) has the connection closed after its response;
/// - time: a request's headers must be complete within ``ConnectionLimits/headerTimeout`` of
///   its first byte, and a connection with nothing under way is closed after
///   ``ConnectionLimits/idleTimeout``;
/// - numbers: past ``ConnectionLimits/maxConnectionsPerIP`` open connections from one IP, a
///   request gets 429 `rate_limited` and the connection is closed.
///
/// It lives on its connection's event loop, like every channel handler.
final class HTTP1ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Inbound {
        /// No request is being read; bytes may have arrived (`headerStarted`).
        case betweenRequests(headerStarted: Bool)
        /// A request's head was passed on; its body follows until `.end`. `closeAfter`: the
        /// request does not keep the connection alive.
        case readingBody(closeAfter: Bool)
        /// Nothing more is read: the connection closes once the responses under way are written.
        case closing
    }

    private let limits: ConnectionLimits
    private let counts: ConnectionCounts
    private var inbound = Inbound.betweenRequests(headerStarted: false)
    /// Requests passed on whose response has not ended yet.
    private var responsesOwed = 0
    /// An answer of our own, written once the responses owed are written.
    private var pendingRejection: Rejection?
    private var countedIP: String?
    private var overLimit = false
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits, counts: ConnectionCounts) {
        self.limits = limits
        self.counts = counts
    }

    // MARK: Connection life

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { opened(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        opened(context)
        context.fireChannelActive()
    }

    private func opened(_ context: ChannelHandlerContext) {
        guard countedIP == nil, !overLimit else { return }
        let ip = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if counts.open(ip) { countedIP = ip } else { overLimit = true }
        schedule(limits.idleTimeout, context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if let countedIP { counts.close(countedIP) }
        countedIP = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    /// The first bytes of a request arrived (told by ``RequestStartObserver``, which sees the
    /// bytes before the parser): its headers are now on the clock.
    func bytesArrived(_ context: ChannelHandlerContext) {
        guard case .betweenRequests(headerStarted: false) = inbound else { return }
        inbound = .betweenRequests(headerStarted: true)
        schedule(limits.headerTimeout, context)
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (inbound, part) {
        case (.closing, _):
            return
        case (.betweenRequests, .head(let head)):
            cancelTimer()
            if let rejection = rejection(of: head) {
                reject(rejection, context)
                return
            }
            inbound = .readingBody(closeAfter: !head.isKeepAlive)
            responsesOwed += 1
            context.fireChannelRead(data)
        case (.readingBody(let closeAfter), .end):
            inbound = closeAfter ? .closing : .betweenRequests(headerStarted: false)
            context.fireChannelRead(data)
            // Answered before its body was read (a 401, a 413): now the connection waits.
            if !closeAfter, responsesOwed == 0 { schedule(limits.idleTimeout, context) }
        case (.readingBody, _):
            context.fireChannelRead(data)
        case (.betweenRequests, _):
            // Body parts without a head cannot come from the parser; drop them.
            return
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        switch inbound {
        case .readingBody:
            // The request's handler is reading its body: it fails with this error and answers
            // 400 itself (ErrorEnvelopeMiddleware); nothing more is read from this connection.
            inbound = .closing
            context.fireErrorCaught(error)
            // Answered already (before reading the body): nothing is owed, so close now.
            if responsesOwed == 0 { context.close(promise: nil) }
        case .betweenRequests:
            cancelTimer()
            reject(Rejection(parserError), context)
        case .closing:
            return
        }
    }

    // MARK: Responses

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .head(var head) where isClosing && responsesOwed == 1:
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            responsesOwed = max(0, responsesOwed - 1)
            context.write(data, promise: promise)
            responseEnded(context)
        default:
            context.write(data, promise: promise)
        }
    }

    private func responseEnded(_ context: ChannelHandlerContext) {
        guard responsesOwed == 0 else { return }
        if let pendingRejection {
            self.pendingRejection = nil
            writeRejection(pendingRejection, context)
        } else if isClosing {
            context.flush()
            context.close(promise: nil)
        } else if case .betweenRequests(headerStarted: false) = inbound {
            schedule(limits.idleTimeout, context)
        }
    }

    private var isClosing: Bool {
        switch inbound {
        case .closing, .readingBody(closeAfter: true): true
        case .betweenRequests, .readingBody(closeAfter: false): false
        }
    }

    // MARK: Answers of our own

    struct Rejection {
        var status: HTTPResponseStatus
        var code: ErrorCode
        var message: String
        var requestID: String?

        init(status: HTTPResponseStatus = .badRequest, code: ErrorCode = .badRequest, message: String, requestID: String? = nil) {
            self.status = status
            self.code = code
            self.message = message
            self.requestID = requestID
        }

        init(_ error: HTTPParserError) {
            switch error {
            case .headerOverflow: self.init(message: "the request's headers are too large")
            case .invalidChunkSize, .unexpectedContentLength, .invalidContentLength:
                self.init(message: "the request's body framing is invalid (Content-Length, Transfer-Encoding or a chunk size)")
            default: self.init(message: "the request is not valid HTTP/1.1")
            }
        }
    }

    private func rejection(of head: HTTPRequestHead) -> Rejection? {
        let requestID = head.headers.first(name: "X-Request-ID").flatMap(RequestIDMiddleware.usable)
        if overLimit {
            return Rejection(
                status: .tooManyRequests, code: .rateLimited,
                message: "too many open connections from this address (at most \(limits.maxConnectionsPerIP))", requestID: requestID)
        }
        if head.version == .http1_1, head.headers["Host"].count != 1 {
            return Rejection(message: "an HTTP/1.1 request must have exactly one Host header", requestID: requestID)
        }
        return nil
    }

    private func reject(_ rejection: Rejection, _ context: ChannelHandlerContext) {
        inbound = .closing
        if responsesOwed == 0 {
            writeRejection(rejection, context)
        } else {
            pendingRejection = rejection
        }
    }

    private func writeRejection(_ rejection: Rejection, _ context: ChannelHandlerContext) {
        let requestID = rejection.requestID ?? UUID().uuidString.lowercased()
        let envelope = ErrorEnvelope(error: ErrorBody(code: rejection.code.rawValue, message: rejection.message, requestID: requestID))
        let body = (try? JSONEncoder().encode(envelope)) ?? Data()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "X-Request-ID", value: requestID)
        headers.add(name: "Connection", value: "close")
        if rejection.status == .tooManyRequests { headers.add(name: "Retry-After", value: "1") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: rejection.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    // MARK: Timers

    private func schedule(_ delay: Duration, _ context: ChannelHandlerContext) {
        cancelTimer()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [self] in
            timer = nil
            // A request under way is the handler's to time; only a waiting connection is closed,
            // and one whose next request's headers are late once the responses owed are written.
            guard case .betweenRequests(let headerStarted) = inbound, headerStarted || responsesOwed == 0 else { return }
            if responsesOwed == 0 {
                context.close(promise: nil)
            } else {
                inbound = .closing
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
