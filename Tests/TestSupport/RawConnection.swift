import Foundation
import Primitives
import Synchronization

/// A plain TCP connection to a local port, for sending what no HTTP client would (broken
/// framing, half-sent headers, HTTP/1.0) and seeing exactly what comes back and when the
/// server closes. Every blocking call runs on a thread of its own.
///
/// Deadlines are kept on `SuspendingClock` (`CLOCK_MONOTONIC`), the clock NIO's timers use:
/// `ContinuousClock` (`CLOCK_BOOTTIME`) also counts time the machine was paused, so after a
/// pause a patience of 20 s could run out before a server timer of 500 ms had fired.
public final class RawConnection: Sendable {
    private let descriptor: Int32
    /// Bytes received past the last response read (the start of the next one).
    private let leftover = Mutex<[UInt8]>([])

    /// What came back for one request.
    public struct Response: Sendable {
        public var status: Int
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: String
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        Foundation.close(descriptor)
    }

    /// Connects to `127.0.0.1:port`.
    public static func open(port: Int) async throws -> RawConnection {
        try await onThread {
            let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw TestSetupError("socket() failed") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Foundation.close(socket)
                throw TestSetupError("cannot connect to port \(port)")
            }
            return RawConnection(descriptor: socket)
        }
    }

    /// Sends the bytes of `text` as they are.
    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) async throws {
        let descriptor = descriptor
        try await Self.onThread {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw TestSetupError("send failed: errno \(errno)") }
                offset += sent
            }
        }
    }

    /// Reads one response (status line, headers, a `Content-Length` body unless it answers
    /// `HEAD`); throws if the server closes first or nothing complete arrives within `patience`.
    public func readResponse(toHead: Bool = false, patience: Duration = .seconds(10)) async throws -> Response {
        let descriptor = descriptor
        return try await Self.onThread { [self] in
            let deadline = SuspendingClock.now + patience
            var buffer = leftover.withLock { $0 }
            func parse() -> Response? {
                guard let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = toHead ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                guard buffer.count - end.upperBound >= length else { return nil }
                let body = String(decoding: buffer[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
                leftover.withLock { $0 = Array(buffer[(end.upperBound + length)...]) }
                return Response(status: status, headers: headers, body: body)
            }
            while true {
                if let response = parse() { return response }
                guard let chunk = Self.receive(descriptor, until: deadline) else {
                    throw TestSetupError("no complete response within \(patience): \(String(decoding: buffer, as: UTF8.self))")
                }
                guard !chunk.isEmpty else {
                    throw TestSetupError("closed before a complete response: \(String(decoding: buffer, as: UTF8.self))")
                }
                buffer += chunk
            }
        }
    }

    /// The next bytes that arrive (those read past the last response first): empty when the
    /// server closed, `nil` when nothing came within `patience`.
    public func receive(patience: Duration) async throws -> [UInt8]? {
        let pending = leftover.withLock { leftover in
            defer { leftover = [] }
            return leftover
        }
        if !pending.isEmpty { return pending }
        let descriptor = descriptor
        return try await Self.onThread { Self.receive(descriptor, until: SuspendingClock.now + patience) }
    }

    /// Closes both directions at once, as a client that goes away does (the descriptor is
    /// released when the object is).
    public func disconnect() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Whether the server closes the connection within `patience` (anything it sends first is read and dropped).
    public func isClosed(within patience: Duration) async -> Bool {
        let descriptor = descriptor
        return (try? await Self.onThread {
            let deadline = SuspendingClock.now + patience
            while let chunk = Self.receive(descriptor, until: deadline) {
                if chunk.isEmpty { return true }
            }
            return false
        }) ?? false
    }

    /// Bytes received before `deadline`: empty when the peer closed (or reset), `nil` when nothing came in time.
    private static func receive(_ descriptor: Int32, until deadline: SuspendingClock.Instant) -> [UInt8]? {
        var ready: Int32
        repeat {
            let left = deadline - SuspendingClock.now
            guard left > .zero else { return nil }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(left.wholeMilliseconds) + 1
            ready = poll(&poller, 1, milliseconds)
        } while ready < 0 && errno == EINTR  // a signal is not the deadline
        guard ready > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 65_536)
        var count: Int
        repeat { count = recv(descriptor, &bytes, bytes.count, 0) } while count < 0 && errno == EINTR
        return count > 0 ? Array(bytes[..<count]) : []
    }

    private static func onThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}
