import Foundation
import Synchronization

/// A minimal HTTP/1.1 server on plain sockets that answers every request `200 ok` on
/// kept-alive connections, except the one numbered `drop` (counting from 1 across all
/// connections): it reads that request whole and closes the connection without a byte of
/// answer, as a peer that crashed while handling it would. With `stopAfterDrop` it also
/// stops listening then, as a peer that stays down. It stands in for a remote party.
public final class DroppingHTTPServer: Sendable {
    public let port: Int
    private let listener: Int32
    private let drop: Int
    private let stopAfterDrop: Bool
    private let received = Mutex<[String]>([])
    private let stopped = Mutex(false)

    /// Starts listening on an ephemeral port of 127.0.0.1.
    public init(drop: Int, stopAfterDrop: Bool = false) throws {
        self.drop = drop
        self.stopAfterDrop = stopAfterDrop
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw TestSetupError("cannot listen: errno \(errno)")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        stop()
    }

    /// Every request line received, in order (`POST /path`).
    public var requests: [String] { received.withLock { $0 } }

    /// Stops listening: new connections are refused.
    public func stop() {
        let wasStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        if !wasStopped {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(connection, &buffer) else { return }
            let number = received.withLock { received -> Int in
                received.append(request)
                return received.count
            }
            if number == drop {
                if stopAfterDrop { stop() }
                return
            }
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
            _ = answer.utf8CString.withUnsafeBufferPointer { send(connection, $0.baseAddress, answer.utf8.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// The request line of the next whole request (head and `Content-Length` body), or `nil` at end of stream.
    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> String? {
        while true {
            if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                let lines = head.components(separatedBy: "\r\n")
                let length = lines.dropFirst().compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
                if buffer.count - end.upperBound >= length {
                    buffer.removeFirst(end.upperBound + length)
                    let requestLine = lines.first ?? ""
                    return requestLine.split(separator: " ").prefix(2).joined(separator: " ")
                }
            }
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }
}
