import NIOCore

/// One value of the Redis serialization protocol (RESP2), as the server answers.
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    /// `nil` is the null bulk string.
    case bulkString(String?)
    /// `nil` is the null array.
    case array([RESPValue]?)

    /// A command as RESP writes it: an array of bulk strings.
    static func encode(_ command: [String], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(command.count)\r\n")
        for argument in command {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
    }

    /// Reads one complete value from the front of `buffer`, or returns nil (and reads
    /// nothing) when more bytes are needed.
    static func decode(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        var copy = buffer
        guard let value = try decodeValue(&copy) else { return nil }
        buffer = copy
        return value
    }

    private static func decodeValue(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard let kind = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch kind {
        case UInt8(ascii: "+"): return .simpleString(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let value = Int(line) else { throw RedisError.protocolViolation("integer \(line)") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(line), length >= -1 else { throw RedisError.protocolViolation("bulk length \(line)") }
            if length == -1 { return .bulkString(nil) }
            guard buffer.readableBytes >= length + 2, let text = buffer.readString(length: length) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            return .bulkString(text)
        case UInt8(ascii: "*"):
            guard let count = Int(line), count >= -1 else { throw RedisError.protocolViolation("array length \(line)") }
            if count == -1 { return .array(nil) }
            var elements: [RESPValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                guard let element = try decodeValue(&buffer) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw RedisError.protocolViolation("type byte \(kind)")
        }
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let end = view.firstIndex(of: UInt8(ascii: "\r")), view.index(after: end) < view.endIndex else { return nil }
        let length = end - view.startIndex
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}

public enum RedisError: Error, Equatable, CustomStringConvertible {
    /// The server answered with an error reply (`-ERR …`, `-NOSCRIPT …`).
    case server(String)
    case protocolViolation(String)
    /// The connection closed, or no answer came in time (the connection is then closed).
    case connectionClosed
    case invalidURL(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis answered: \(message)"
        case .protocolViolation(let what): "Redis protocol violation: unexpected \(what)"
        case .connectionClosed: "the Redis connection closed or timed out"
        case .invalidURL(let reason): "invalid Redis URL: \(reason)"
        }
    }
}
