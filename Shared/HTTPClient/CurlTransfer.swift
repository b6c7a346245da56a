import CCurl
import Foundation

/// One request on one easy handle, owned by the multi loop's thread from start to finish.
final class CurlTransfer {
    let id: Int
    private let continuation: UnsafeContinuation<HTTPClientResponse, any Error>
    private let handle: UnsafeMutableRawPointer
    private let upstream: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var body: [UInt8] = []
    private var headers: [(name: String, value: String)] = []

    init(submission: CurlMultiLoop.Submission, handle: UnsafeMutableRawPointer) throws {
        self.id = submission.id
        self.continuation = submission.continuation
        self.handle = handle
        let request = submission.request
        self.upstream = request.upstreamKey
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
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, submission.connectTimeout.milliseconds)
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, submission.timeout.milliseconds)

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
    }

    deinit {
        curl_slist_free_all(headerList)
    }

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
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
            var status = 0
            ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPClientResponse(status: status, headers: headers, body: body))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            return .failure(HTTPClientError.connectFailed(upstream: upstream))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(HTTPClientError.timeout(upstream: upstream))
        default:
            let message = String(cString: curl_easy_strerror(code))
            return .failure(HTTPClientError.transport(upstream: upstream, code: Int(code.rawValue), message: message))
        }
    }

    func complete(_ result: Result<HTTPClientResponse, any Error>) {
        continuation.resume(with: result)
    }
}

private let curlWriteBody: ccurl_data_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.appendBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}

private let curlWriteHeader: ccurl_data_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}

extension Duration {
    /// Whole milliseconds, at least 1 (libcurl reads 0 as "no timeout").
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
