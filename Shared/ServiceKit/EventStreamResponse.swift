import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension Response {
    /// A `text/event-stream` response: the `prelude`'s events (the current state, or the
    /// history a client resumes from), then each event of `stream` as it comes, until the
    /// stream is closed, the client goes away (its connection's inbound side closes), or the
    /// server shuts down gracefully, when the response ends cleanly. `HEAD` gets the headers.
    public static func eventStream(
        _ request: Request, context: ServiceRequestContext, stream: EventHub<some Hashable & Sendable>.Stream,
        prelude: @escaping @Sendable (_ emit: (ServerSentEvent) async throws -> Void) async throws -> Void
    ) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", .accelBuffering: "no"]
        guard !context.isHeadRequest else {
            stream.close()
            return Response(status: .ok, headers: headers)
        }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // Unregisters the stream however the response ends (a failed write included).
                defer { stream.close() }
                try await request.body.consumeWithInboundCloseHandler { _ in
                    try await withGracefulShutdownHandler {
                        try await prelude { try await writer.write($0.encoded) }
                        for await event in stream.events { try await writer.write(event.encoded) }
                    } onGracefulShutdown: {
                        stream.close()
                    }
                } onInboundClosed: {
                    stream.close()
                }
                try await writer.finish(nil)
            })
    }
}

extension HTTPField.Name {
    /// Tells nginx (and proxies that follow it) not to buffer the response.
    public static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
