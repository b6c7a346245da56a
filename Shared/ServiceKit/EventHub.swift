import Metrics
import ServiceLifecycle
import Synchronization

/// The event streams open in this process, each registered under the key of what it follows
/// (an order, a user's orders, a product), and the fan-out of events to them.
///
/// A stream buffers up to `bufferLimit` events for a client that reads slowly; past that it
/// is ended rather than left to grow (an order stream's client resumes with `Last-Event-ID`
/// and loses nothing). Run as a `Service`, it sends every stream a heartbeat at once every
/// `heartbeat` (``heartbeat()``), from one timer, so an open stream costs a buffer and no
/// task or thread of its own; on graceful shutdown it ends every stream (``closeAll()``).
public final class EventHub<Key: Hashable & Sendable>: Service, Sendable {
    /// One client's stream: the events sent to it, in order, until it is closed.
    public struct Stream: Sendable {
        public let events: AsyncStream<ServerSentEvent>
        let continuation: AsyncStream<ServerSentEvent>.Continuation

        /// Ends the stream: its response finishes once the events before are written.
        public func close() { continuation.finish() }
    }

    /// Where an event goes: the streams registered under its keys when it was published.
    public struct Recipients: Sendable {
        fileprivate let continuations: [AsyncStream<ServerSentEvent>.Continuation]
        public var isEmpty: Bool { continuations.isEmpty }
    }

    private struct State {
        var streams: [Key: [Int: AsyncStream<ServerSentEvent>.Continuation]] = [:]
        var lastID = 0
        var count = 0
        var closed = false
    }

    public static var metricHelp: [String: String] {
        ["event_streams_open": "Server-Sent Event streams open on this process, by what they follow."]
    }

    private let bufferLimit: Int
    private let heartbeatInterval: Duration
    private let state = Mutex(State())
    private let open: Gauge

    /// `label` names the streams in `event_streams_open{stream=…}`.
    public init(label: String, heartbeat: Duration, bufferLimit: Int = 1_000) {
        self.bufferLimit = bufferLimit
        self.heartbeatInterval = heartbeat
        self.open = Gauge(label: "event_streams_open", dimensions: [("stream", label)])
    }

    /// Heartbeats until the service group stops, then ends every stream.
    public func run() async throws {
        await repeatUntilStopped(every: heartbeatInterval) { heartbeat() }
        closeAll()
    }

    /// Registers a stream under `key`. Events published from now on reach it.
    public func subscribe(_ key: Key) -> Stream {
        let (events, continuation) = AsyncStream<ServerSentEvent>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        let (id, count, closed) = state.withLock { state -> (Int, Int, Bool) in
            guard !state.closed else { return (0, state.count, true) }
            state.lastID += 1
            state.streams[key, default: [:]][state.lastID] = continuation
            state.count += 1
            return (state.lastID, state.count, false)
        }
        if closed {
            continuation.finish()
        } else {
            open.record(count)
            continuation.onTermination = { [weak self] _ in self?.remove(id, key: key) }
        }
        return Stream(events: events, continuation: continuation)
    }

    /// The streams registered now under any of `keys`.
    public func recipients(_ keys: [Key]) -> Recipients {
        state.withLock { state in
            Recipients(continuations: keys.flatMap { state.streams[$0].map { Array($0.values) } ?? [] })
        }
    }

    /// Whether any stream is registered under `key`.
    public func isFollowed(_ key: Key) -> Bool {
        state.withLock { state in state.streams[key]?.isEmpty == false }
    }

    /// Sends `event` to `recipients`; a stream whose buffer is full is ended.
    public func send(_ event: ServerSentEvent, to recipients: Recipients) {
        for continuation in recipients.continuations {
            if case .dropped = continuation.yield(event) { continuation.finish() }
        }
    }

    /// Ends the streams of `recipients`.
    public func close(_ recipients: Recipients) {
        recipients.continuations.forEach { $0.finish() }
    }

    /// A comment to every stream, so proxies and clients see idle streams alive.
    public func heartbeat() {
        let all = state.withLock { state in state.streams.values.flatMap(\.values) }
        send(.comment("heartbeat"), to: Recipients(continuations: all))
    }

    /// Ends every stream and refuses new ones (shutdown).
    public func closeAll() {
        let all = state.withLock { state in
            state.closed = true
            return state.streams.values.flatMap(\.values)
        }
        all.forEach { $0.finish() }
    }

    /// Streams open now.
    public var count: Int { state.withLock { $0.count } }

    private func remove(_ id: Int, key: Key) {
        let count = state.withLock { state -> Int in
            if state.streams[key]?.removeValue(forKey: id) != nil {
                state.count -= 1
                if state.streams[key]?.isEmpty == true { state.streams[key] = nil }
            }
            return state.count
        }
        open.record(count)
    }
}
