import NIOCore
import NIOPosix

/// One connection to a Redis server, pipelined: commands are written as they come and the
/// answers matched to them in order. When an answer is later than `timeout`, or the server
/// goes away, the connection closes and every command still waiting fails with
/// ``RedisError/connectionClosed``; the owner then opens a new one.
public final class RedisConnection: Sendable {
    let channel: Channel  // internal: the tests read its socket options back

    private init(channel: Channel) {
        self.channel = channel
    }

    /// Connects, then authenticates and selects the database the URL names.
    /// `timeout` bounds each answer; `connectTimeout` the name lookup and TCP connect together
    /// (a container's DNS can take seconds to answer for a service name).
    public static func connect(
        to url: RedisURL, timeout: Duration, connectTimeout: Duration = .seconds(10),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RedisConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)  // IPPROTO_TCP; socketOption would set SO_DEBUG
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RESPClientHandler(timeout: TimeAmount(timeout)))
                }
            }
            .connect(host: url.host, port: url.port).get()
        let connection = RedisConnection(channel: channel)
        do {
            if let password = url.password {
                _ = try await connection.send(url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if url.database != 0 { _ = try await connection.send(["SELECT", String(url.database)]) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Sends a command and returns its answer; an error reply is thrown as ``RedisError/server(_:)``.
    public func send(_ command: [String]) async throws -> RESPValue {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        // On a closed channel the handler is gone and only the write fails: fail the command
        // with it, or it would wait for an answer forever (a second completion is ignored).
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(RedisError.connectionClosed) }
        channel.writeAndFlush(RESPClientHandler.Command(arguments: command, promise: promise), promise: written)
        let value = try await promise.futureResult.get()
        if case .error(let message) = value { throw RedisError.server(message) }
        return value
    }

    public func close() {
        channel.close(promise: nil)
    }
}

struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try RESPValue.decode(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Writes commands and completes their promises with the answers, in order; closes the
/// connection when the oldest command has waited longer than `timeout`.
final class RESPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = Command
    typealias OutboundOut = ByteBuffer

    struct Command {
        let arguments: [String]
        let promise: EventLoopPromise<RESPValue>
    }

    private let timeout: TimeAmount
    private var waiting = CircularBuffer<(promise: EventLoopPromise<RESPValue>, deadline: NIODeadline)>()
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        guard context.channel.isActive else {
            command.promise.fail(RedisError.connectionClosed)
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        RESPValue.encode(command.arguments, into: &buffer)
        waiting.append((command.promise, .now() + timeout))
        if timer == nil { scheduleTimer(context) }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let next = waiting.popFirst() else {
            context.fireErrorCaught(RedisError.protocolViolation("answer to no command"))
            context.close(promise: nil)
            return
        }
        next.promise.succeed(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        while let next = waiting.popFirst() { next.promise.fail(RedisError.connectionClosed) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func scheduleTimer(_ context: ChannelHandlerContext) {
        guard let oldest = waiting.first else {
            timer = nil
            return
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: oldest.deadline) { [self] in
            if let first = waiting.first, first.deadline <= .now() {
                context.close(promise: nil)
            } else {
                scheduleTimer(context)
            }
        }
    }
}
