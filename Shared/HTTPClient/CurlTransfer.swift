import CCurl
import Foundation
import Primitives

/// One request on one easy handle, owned by the multi loop's thread from start to finish.
final class CurlTransfer {
    let id: Int
    private let continuation: UnsafeContinuation<HTTPClientResponse, any Error>
    /// A streamed response's body goes here as it arrives (``CurlHTTPClient/stream(_:idleTimeout:)``).
    private let bodySink: AsyncThrowingStream<[UInt8], any Error>.Continuation?
    /// Whether `continuation` has had the streamed response's status and headers.
    private var headDelivered = false
    private let handle: UnsafeMutableRawPointer
    private let upstream: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var body: [UInt8] = []
    private var headers: [(name: String, value: String)] = []
    /// Whether repeating the request cannot change its outcome (RFC 9110's idempotent methods).
    private let isIdempotent: Bool
    /// How many times libcurl was about to write the request on a connection (its pre-request
    /// callback): more than once when it re-sent it on a fresh connection after a kept-alive
    /// one died, which it does silently, POSTs included.
    private(set) var sendAttempts = 0

    init(submission: CurlMultiLoop.Submission, handle: UnsafeMutableRawPointer) throws {
        self.id = submission.id
        self.continuation = submission.continuation
        self.bodySink = submission.bodySink
        self.handle = handle
        let request = submission.request
        self.upstream = request.upstreamKey
        self.isIdempotent = request.isIdempotent
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            throw HTTPClientError.invalidURL(request.url)
        }

        ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        // "" turns off libcurl's reading of http_proxy / ALL_PROXY from the environment: calls
        // between services carry tokens and must go straight to the service.
        ccurl_setopt_string(handle, CURLOPT_PROXY, "")
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, submission.connectTimeout.wholeMilliseconds))  // 0 is "no timeout" to libcurl
        if bodySink == nil {
            ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, submission.timeout.wholeMilliseconds))
        } else {
            // A stream lasts as long as it lasts; it fails only when nothing at all (not even a
            // heartbeat) arrives for `timeout`.
            ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
            ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(submission.timeout.inSeconds.rounded(.up))))
            // A stream lives long and carries small events: a 2 KiB receive buffer in place of
            // libcurl's 16 KiB (a larger event takes more reads). It measured about 2 KiB less
            // per open stream at the gateway (docs/benchmarks.md, "Event streams").
            ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, 2048)
        }
        // Reuse a kept-alive connection only while it has been idle for less than the servers
        // of this stack keep one (HTTP_IDLE_TIMEOUT_MS, 60 s), so a request never races their close.
        ccurl_setopt_long(handle, CURLOPT_MAXAGE_CONN, 20)
        // Replicas behind one name (Docker's DNS round robin, a headless Kubernetes Service)
        // each get a share: every new connection resolves the name afresh, and none is kept
        // for more than a minute, so replicas started later get connections too.
        ccurl_setopt_long(handle, CURLOPT_DNS_CACHE_TIMEOUT, 0)
        ccurl_setopt_long(handle, CURLOPT_MAXLIFETIME_CONN, 60)

        switch (request.method, request.body) {
        case ("GET", nil):
            ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case ("HEAD", _):
            ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case (let method, let body):
            if method != "POST" { ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
            if let body {
                ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                if body.isEmpty {
                    ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
                } else {
                    // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
                    body.withUnsafeBytes {
                        _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!))
                    }
                }
            } else if method == "POST" {
                ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
                ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            }
        }

        // libcurl sets these itself; "Expect:" turns off its 100-continue wait for large bodies.
        var list: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Expect:")
        for (name, value) in request.headers {
            let lowered = name.lowercased()
            guard lowered != "content-length", lowered != "host", lowered != "expect",
                !name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
                !value.contains(where: { $0 == "\r" || $0 == "\n" })
            else { continue }
            list = curl_slist_append(list, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        headerList = list
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)

        let context = Unmanaged.passUnretained(self).toOpaque()
        ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        ccurl_setopt_prereq(handle, curlBeforeSend)
        ccurl_setopt_pointer(handle, CURLOPT_PREREQDATA, context)
    }

    /// libcurl is about to write the request. A second time means the connection it was
    /// written on died before any answer (a kept-alive one the peer closed or crashed on):
    /// the peer may have acted on it, so a request that is not idempotent is not sent again
    /// (the transfer fails, and the caller learns the outcome is unknown).
    fileprivate func beforeSend() -> Bool {
        sendAttempts += 1
        return sendAttempts == 1 || isIdempotent
    }

    deinit {
        curl_slist_free_all(headerList)
    }

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) {
        guard let bodySink else {
            body.append(contentsOf: bytes)
            return
        }
        if !headDelivered {
            headDelivered = true
            continuation.resume(returning: HTTPClientResponse(status: status, headers: headers))
        }
        bodySink.yield(Array(bytes))
    }

    private var status: Int {
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// One header line as libcurl hands it over, `Name: value\r\n`, parsed on the bytes.
    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 10 }
        if bytes.starts(with: "HTTP/".utf8) {
            // A new status line (after 100 Continue): only the final response's headers count.
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = bytes.firstIndex(of: 58) else { return }
        var start = colon + 1
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        headers.append((name, value))
    }

    /// The response, or the error matching libcurl's result code.
    func outcome(code: CURLcode) -> Result<HTTPClientResponse, any Error> {
        switch code {
        case CURLE_OK:
            return .success(HTTPClientResponse(status: status, headers: headers, body: body))
        case CURLE_COULDNT_CONNECT where sendAttempts == 0, CURLE_COULDNT_RESOLVE_HOST where sendAttempts == 0:
            // Only a request never written is known not to have reached the peer.
            return .failure(HTTPClientError.connectFailed(upstream: upstream))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_ABORTED_BY_CALLBACK:
            return .failure(HTTPClientError.transport(
                upstream: upstream, code: Int(code.rawValue),
                message: "the connection closed after the request was sent; it was not sent again"))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(HTTPClientError.timeout(upstream: upstream))
        default:
            let message = String(cString: curl_easy_strerror(code))
            return .failure(HTTPClientError.transport(upstream: upstream, code: Int(code.rawValue), message: message))
        }
    }

    /// Resumes the caller; a streamed body ends (with the error, if the transfer failed).
    func complete(_ result: Result<HTTPClientResponse, any Error>) {
        guard headDelivered else {
            bodySink?.finish()
            continuation.resume(with: result)
            return
        }
        switch result {
        case .success: bodySink?.finish()
        case .failure(let error): bodySink?.finish(throwing: error)
        }
    }
}

private let curlWriteBody: ccurl_data_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.appendBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}

private let curlBeforeSend: curl_prereq_callback = { context, _, _, _, _ in
    guard let context else { return Int32(CURL_PREREQFUNC_OK) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.beforeSend() ? Int32(CURL_PREREQFUNC_OK) : Int32(CURL_PREREQFUNC_ABORT)
}

private let curlWriteHeader: ccurl_data_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
