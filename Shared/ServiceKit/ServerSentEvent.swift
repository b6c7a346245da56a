import NIOCore

/// One message of a `text/event-stream` response (the WHATWG HTML standard's Server-Sent
/// Events): an event with an optional `id:` and `event:` and its `data:`, or a comment line,
/// which clients ignore and which keeps an idle stream alive through proxies.
public enum ServerSentEvent: Sendable, Equatable {
    case event(id: String?, kind: String, data: String)
    case comment(String)

    /// The message as it goes on the wire. A line break inside `data` starts another `data:`
    /// line (the client joins them with `\n`); `id` and `kind` are ours and have none.
    public var encoded: ByteBuffer {
        var text = ""
        switch self {
        case .event(let id, let kind, let data):
            if let id { text += "id: \(id)\n" }
            text += "event: \(kind)\n"
            for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        case .comment(let comment):
            text += ": \(comment)\n"
        }
        return ByteBuffer(string: text + "\n")
    }
}
