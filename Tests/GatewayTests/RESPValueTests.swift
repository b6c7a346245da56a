import NIOCore
import Testing

@testable import Redis

/// The Redis protocol's encoding of commands and decoding of answers, including answers
/// that arrive a few bytes at a time.
@Suite("RESP encoding and decoding")
struct RESPValueTests {
    @Test func commandsAreArraysOfBulkStrings() {
        var buffer = ByteBuffer()
        RESPValue.encode(["EVALSHA", "ab", "1", "ratelimit:ip:é"], into: &buffer)
        #expect(String(buffer: buffer) == "*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n1\r\n$15\r\nratelimit:ip:é\r\n")
    }

    @Test func everyKindOfAnswerDecodes() throws {
        let wire = "+OK\r\n-NOSCRIPT No matching script\r\n:42\r\n$-1\r\n$5\r\nhello\r\n*2\r\n:1\r\n$4\r\n9.75\r\n*-1\r\n"
        var buffer = ByteBuffer(string: wire)
        var values: [RESPValue] = []
        while let value = try RESPValue.decode(&buffer) { values.append(value) }
        #expect(values == [
            .simpleString("OK"), .error("NOSCRIPT No matching script"), .integer(42), .bulkString(nil),
            .bulkString("hello"), .array([.integer(1), .bulkString("9.75")]), .array(nil),
        ])
        #expect(buffer.readableBytes == 0)
    }

    @Test func aPartialAnswerWaitsForTheRestAndConsumesNothing() throws {
        let wire = Array("*2\r\n:1\r\n$4\r\n9.75\r\n".utf8)
        for cut in 1..<wire.count {
            var buffer = ByteBuffer(bytes: wire[..<cut])
            #expect(try RESPValue.decode(&buffer) == nil, "decoded from \(cut) of \(wire.count) bytes")
            #expect(buffer.readableBytes == cut)
            buffer.writeBytes(wire[cut...])
            #expect(try RESPValue.decode(&buffer) == .array([.integer(1), .bulkString("9.75")]))
        }
    }

    @Test func garbageIsAProtocolViolation() {
        var buffer = ByteBuffer(string: "?what\r\n")
        #expect(throws: RedisError.self) { try RESPValue.decode(&buffer) }
        var length = ByteBuffer(string: "$-7\r\n")
        #expect(throws: RedisError.self) { try RESPValue.decode(&length) }
    }
}
