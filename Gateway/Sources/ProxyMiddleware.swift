import HTTPClient
import HTTPTypes
import Hummingbird
import Metrics
import NIOCore
import ServiceKit

/// Forwards requests whose path belongs to a service (``UpstreamRoutes``) through the libcurl
/// client; everything else goes on to the gateway's own routes. Hop-by-hop headers and
/// client-sent `X-User-*` / `X-Internal-*` headers never cross; the request id does. For an
/// API-key request the key stays behind and a token acting for it goes as `Authorization`.
public struct ProxyMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let client: CurlHTTPClient
    let configuration: GatewayConfiguration
    let streams: StreamLimiter

    init(client: CurlHTTPClient, configuration: GatewayConfiguration, streams: StreamLimiter) {
        self.client = client
        self.configuration = configuration
        self.streams = streams
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let upstream = UpstreamRoutes.upstream(for: request.uri.path),
            let baseURL = configuration.upstreamURLs[upstream]
        else {
            return try await next(request, context)
        }
        if request.method == .get, UpstreamRoutes.isEventStream(request.uri.path) {
            return try await stream(request, context: context, upstream: upstream, url: baseURL + request.uri.description)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "request body exceeds \(configuration.maxBodyBytes) bytes")
        }
        let outgoing = HTTPClientRequest(
            method: request.method.rawValue,
            url: baseURL + request.uri.description,
            headers: Self.forwardedHeaders(request.headers, context: context),
            body: body.readableBytes > 0 || request.method == .post ? Array(buffer: body) : nil,
            timeout: configuration.upstreamTimeout)
        let response: HTTPClientResponse
        let start = ContinuousClock.now
        do {
            response = try await client.execute(outgoing)
        } catch let error as HTTPClientError {
            throw Self.unavailable(upstream, error, context: context)
        }
        Self.count(upstream, status: response.status, since: start)
        return Response(
            status: .init(code: response.status),
            headers: Self.returnedHeaders(response.headers),
            body: .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }

    /// An event stream: relayed chunk by chunk as the service sends it, for as long as it
    /// lasts (no upstream timeout, only ``GatewayConfiguration/StreamLimits/idleTimeout``), and
    /// ended upstream as soon as the client goes away. Counted against the stream limits
    /// until it ends. A response that is not a stream (an error) is relayed whole.
    private func stream(_ request: Request, context: Context, upstream: Upstream, url: String) async throws -> Response {
        let lease = try streams.open(caller: context.caller, ip: context.remoteIP ?? "unknown")
        let outgoing = HTTPClientRequest(url: url, headers: Self.forwardedHeaders(request.headers, context: context))
        let start = ContinuousClock.now
        let response: HTTPClientStream
        do {
            response = try await client.stream(outgoing, idleTimeout: configuration.streams.idleTimeout)
        } catch let error as HTTPClientError {
            lease.release()
            throw Self.unavailable(upstream, error, context: context)
        }
        Self.count(upstream, status: response.status, since: start)
        let status = HTTPResponse.Status(code: response.status), headers = Self.returnedHeaders(response.headers)
        guard response.header("Content-Type")?.hasPrefix("text/event-stream") == true, !context.isHeadRequest else {
            lease.release()
            var body: [UInt8] = []
            if context.isHeadRequest {
                response.cancel()  // the head is all a HEAD gets
            } else {
                for try await chunk in response.body { body += chunk }
            }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            defer {
                response.cancel()  // however the relay ended (the client gone, a failed write)
                lease.release()
            }
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    for try await chunk in response.body { try await writer.write(ByteBuffer(bytes: chunk)) }
                }
            } catch is CancellationError {
                return  // the client went away
            } catch let error as HTTPClientError {
                // The service went away mid-stream: the client's stream ends and it reconnects.
                context.logger.warning("event stream ended upstream", metadata: ["upstream": "\(upstream)", "error": "\(error)"])
            }
            try await writer.finish(nil)
        })
    }

    private static func unavailable(_ upstream: Upstream, _ error: HTTPClientError, context: Context) -> APIError {
        context.logger.warning("upstream failed", metadata: ["upstream": "\(upstream)", "error": "\(error)"])
        Counter(label: "gateway_upstream_failures_total", dimensions: [("upstream", upstream.rawValue)]).increment()
        return APIError.upstreamUnavailable("the \(upstream.rawValue) service is unavailable")
    }

    private static func count(_ upstream: Upstream, status: Int, since start: ContinuousClock.Instant) {
        let dimensions = [("upstream", upstream.rawValue), ("status", String(status / 100) + "xx")]
        Counter(label: "gateway_upstream_requests_total", dimensions: dimensions).increment()
        Timer(label: "gateway_upstream_duration_seconds", dimensions: [("upstream", upstream.rawValue)])
            .record(duration: ContinuousClock.now - start)
    }

    /// Headers that describe one hop (RFC 9110 §7.6.1) or that the transport recomputes.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect",
    ]

    static let metricHelp = [
        "gateway_upstream_requests_total": "Requests proxied to a service, by service and status class.",
        "gateway_upstream_failures_total": "Proxied requests that got no answer from the service.",
        "gateway_upstream_duration_seconds": "Time a service took to answer a proxied request.",
    ]

    static func forwardedHeaders(_ headers: HTTPFields, context: Context) -> [(name: String, value: String)] {
        var forwarded: [(name: String, value: String)] = []
        var forwardedFor: String?
        for field in headers {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || name.hasPrefix("x-user-") || name.hasPrefix("x-internal-")
                || name == "x-request-id" || name == "x-api-key" || name == "traceparent"
                || (name == "authorization" && context.upstreamAuthorization != nil)
            {
                continue
            }
            if name == "x-forwarded-for" {
                forwardedFor = field.value
                continue
            }
            forwarded.append((field.name.rawName, field.value))
        }
        forwarded.append(("X-Request-ID", context.requestID))
        if let authorization = context.upstreamAuthorization {
            forwarded.append(("Authorization", authorization))
        }
        if let ip = context.remoteIP {
            forwarded.append(("X-Forwarded-For", forwardedFor.map { "\($0), \(ip)" } ?? ip))
        }
        return forwarded
    }

    static func returnedHeaders(_ headers: [(name: String, value: String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !hopByHop.contains(lowered), lowered != "date", lowered != "server",
                let fieldName = HTTPField.Name(name)
            else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}
