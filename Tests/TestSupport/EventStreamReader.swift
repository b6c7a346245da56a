import Contracts
import Foundation
import Synchronization

/// A client of one `text/event-stream` response over a plain socket, reading exactly what
/// arrives: the status and headers, then the body (de-chunked) split into messages.
public final class EventStreamReader: Sendable {
    /// One message: an event, or a comment line (a heartbeat).
    public enum Message: Sendable, Equatable {
        case event(Event)
        case comment(String)
    }

    public struct Event: Sendable, Equatable {
        public var id: String?
        public var kind: String?
        public var data: String

        /// `data` decoded as JSON.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try contractDecoder.decode(T.self, from: Data(data.utf8))
        }
    }

    public let status: Int
    /// Header names lower-cased.
    public let headers: [String: String]
    /// The error body, when the status is not 200.
    public let errorBody: String
    private let connection: RawConnection
    private let chunked: Bool
    /// Bytes of the raw body not yet de-chunked, body text not yet split into messages, and
    /// whether the response ended (its last chunk came, or the connection closed).
    private let pending = Mutex<(raw: [UInt8], body: [UInt8], ended: Bool)>(([], [], false))

    /// What ``nextMessage(patience:)`` throws once the response has ended.
    public struct Ended: Error {}

    private init(connection: RawConnection, response: RawConnection.Response) {
        self.connection = connection
        self.status = response.status
        self.headers = response.headers
        self.errorBody = response.body
        self.chunked = response.headers["transfer-encoding"]?.lowercased().contains("chunked") == true
    }

    /// Sends `GET path` to `127.0.0.1:port` and reads the response's head (the whole body when
    /// it is not a stream).
    public static func open(port: Int, _ path: String, headers: [(String, String)] = []) async throws -> EventStreamReader {
        let connection = try await RawConnection.open(port: port)
        let lines = ["GET \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Accept: text/event-stream"] + headers.map { "\($0.0): \($0.1)" }
        try await connection.send(lines.joined(separator: "\r\n") + "\r\n\r\n")
        var head = try await connection.readResponse(toHead: true)
        if head.status != 200 {
            // An error: a whole body of Content-Length bytes.
            let length = Int(head.headers["content-length"] ?? "0") ?? 0
            var body: [UInt8] = []
            while body.count < length, let bytes = try await connection.receive(patience: .seconds(10)), !bytes.isEmpty { body += bytes }
            head.body = String(decoding: body, as: UTF8.self)
        }
        return EventStreamReader(connection: connection, response: head)
    }

    /// The next event, skipping comments; throws when none comes within `patience` or the stream ends.
    public func next(patience: Duration = .seconds(15)) async throws -> Event {
        let deadline = SuspendingClock.now + patience
        while true {
            let left = deadline - SuspendingClock.now
            guard left > .zero else { throw TestSetupError("no event within \(patience)") }
            if case .event(let event) = try await nextMessage(patience: left) { return event }
        }
    }

    /// The next message; throws when none comes within `patience` or the stream ends.
    public func nextMessage(patience: Duration = .seconds(15)) async throws -> Message {
        let deadline = SuspendingClock.now + patience
        while true {
            if let message = takeMessage() { return message }
            if pending.withLock({ $0.ended }) { throw Ended() }
            let left = deadline - SuspendingClock.now
            guard left > .zero, let bytes = try await connection.receive(patience: left) else {
                throw TestSetupError("no message within \(patience)")
            }
            pending.withLock { pending in
                pending.raw += bytes
                if bytes.isEmpty {
                    pending.ended = true
                } else if chunked {
                    pending.ended = Self.dechunk(&pending.raw, into: &pending.body)
                } else {
                    pending.body += pending.raw
                    pending.raw = []
                }
            }
        }
    }

    /// Whether the response ends (the last chunk, or the connection closes) within `patience`;
    /// messages that come first are dropped.
    public func ends(within patience: Duration) async -> Bool {
        let deadline = SuspendingClock.now + patience
        while SuspendingClock.now < deadline {
            do { _ = try await nextMessage(patience: deadline - SuspendingClock.now) } catch {
                return error is Ended
            }
        }
        return false
    }

    /// Goes away without a word, as a client that closes its tab does.
    public func disconnect() {
        connection.disconnect()
    }

    private func takeMessage() -> Message? {
        pending.withLock { pending in
            guard let end = pending.body.firstRange(of: Array("\n\n".utf8)) else { return nil }
            let text = String(decoding: pending.body[..<end.lowerBound], as: UTF8.self)
            pending.body.removeSubrange(..<end.upperBound)
            var event = Event(id: nil, kind: nil, data: "")
            var data: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { return .comment(String(line.dropFirst().drop { $0 == " " })) }
                let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let value = parts.count > 1 ? String(parts[1].hasPrefix(" ") ? parts[1].dropFirst() : parts[1]) : ""
                switch parts[0] {
                case "id": event.id = value
                case "event": event.kind = value
                case "data": data.append(value)
                default: break
                }
            }
            event.data = data.joined(separator: "\n")
            return .event(event)
        }
    }

    /// Moves the complete chunks of `raw` into `body` (RFC 9112 §7.1); whether the last
    /// chunk (size 0) has come.
    private static func dechunk(_ raw: inout [UInt8], into body: inout [UInt8]) -> Bool {
        while let lineEnd = raw.firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: raw[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16) else { return false }
            if size == 0 { return true }
            guard raw.count >= lineEnd.upperBound + size + 2 else { return false }
            body += raw[lineEnd.upperBound..<(lineEnd.upperBound + size)]
            raw.removeSubrange(..<(lineEnd.upperBound + size + 2))
        }
        return false
    }
}
