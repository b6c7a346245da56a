import Contracts
import Foundation
import Logging
import Primitives
import Synchronization

/// A swift-log handler writing one JSON object per line to standard error:
/// `{"time","level","service","message",...metadata}`. Structured, so request ids and
/// other fields can be searched without parsing prose.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let service: String

    /// Serialises whole lines from concurrent loggers.
    private static let output = Mutex(())

    /// Creates a handler for one service.
    public init(service: String, level: Logger.Level) {
        self.service = service
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        let merged = metadata
            .merging(metadataProvider?.get() ?? [:]) { $1 }
            .merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { fields[key] = "\(value)" }
        fields["time"] = Self.timestamp()
        fields["level"] = event.level.rawValue
        fields["service"] = service
        fields["message"] = "\(event.message)"
        // Written by hand: Foundation's JSONSerialization and date formatting cost more than
        // the request they describe when every request logs a line.
        var line = "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { line += "," }
            JSONText.appendString(key, to: &line)
            line += ":"
            JSONText.appendString(fields[key]!, to: &line)
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        Self.output.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { if errno == EINTR { continue } else { return } }
                    offset += written
                }
            }
        }
    }

    /// Now in UTC, RFC 3339 with milliseconds.
    static func timestamp() -> String {
        UTCTimestamp.format(Date(), fractionDigits: 3)
    }
}
