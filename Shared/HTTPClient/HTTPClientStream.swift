/// A response whose body is read as it arrives (``CurlHTTPClient/stream(_:idleTimeout:)``).
public struct HTTPClientStream: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields in the order received.
    public var headers: [(name: String, value: String)]
    /// The body's chunks as they arrive; it ends with the response, or throws
    /// ``HTTPClientError`` when the transfer fails. Ending the iteration ends the transfer.
    public var body: AsyncThrowingStream<[UInt8], any Error>
    /// Ends the transfer now (its connection closes), whether or not `body` is being read.
    public let cancel: @Sendable () -> Void

    /// The first value of a header field.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}
