import CCurl
import Foundation
import Synchronization

/// libcurl's global initialisation, done once per process on first use.
private let curlGlobalInit: Void = {
    curl_global_init(Int(CURL_GLOBAL_ALL))
}()

/// The thread that owns one libcurl multi handle and drives every transfer on it.
///
/// Callers hand in submissions and cancellations through a locked inbox and wake the thread
/// with `curl_multi_wakeup`; all easy handles are created, driven and freed on the owner
/// thread only, and connections stay cached in the multi handle for reuse.
final class CurlMultiLoop: Sendable {
    /// A request waiting to be started by the owner thread.
    struct Submission: Sendable {
        let id: Int
        let request: HTTPClientRequest
        let connectTimeout: Duration
        let timeout: Duration
        /// Resumed exactly once, by the owner thread: a transfer leaves the loop's table
        /// before it completes, so a cancellation that comes later finds nothing.
        let continuation: UnsafeContinuation<HTTPClientResponse, any Error>
        /// For a streamed response: where its body goes, chunk by chunk, once `continuation`
        /// has had the status and headers (``CurlHTTPClient/stream(_:idleTimeout:)``).
        var bodySink: AsyncThrowingStream<[UInt8], any Error>.Continuation? = nil
    }

    private struct Inbox {
        var submissions: [Submission] = []
        var cancellations: [Int] = []
        var shuttingDown = false
    }

    /// The multi handle's address. Only the owner thread uses it, except for
    /// `curl_multi_wakeup`, which libcurl documents as callable from any thread.
    private struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let multi: MultiHandle
    private let inbox = Mutex(Inbox())
    private let lastID = Atomic<Int>(0)

    init(maxConnectionsPerHost: Int, maxCachedConnections: Int) {
        _ = curlGlobalInit
        let multi = curl_multi_init()!
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxCachedConnections)
        self.multi = MultiHandle(pointer: multi)
        // Named after `start()`: Foundation's `Thread.name` setter does nothing before `start()`
        // has stored the thread's handle, so naming it from inside raced with that store, and a
        // lost race left the thread named after the Dispatch thread that started it.
        let thread = Thread { [self] in self.run() }
        thread.start()
        thread.name = "curl-multi"
    }

    /// Reserves an id for a submission (so it can be cancelled before it starts).
    func makeID() -> Int {
        lastID.add(1, ordering: .relaxed).newValue
    }

    /// Queues a request for the owner thread, waking it only if the inbox was empty: the
    /// thread takes everything queued in one go, so one wake-up serves a burst.
    func submit(_ submission: Submission) {
        enum Outcome { case refused, queued, queuedFirst }
        let outcome = inbox.withLock { inbox -> Outcome in
            guard !inbox.shuttingDown else { return .refused }
            inbox.submissions.append(submission)
            return inbox.submissions.count == 1 ? .queuedFirst : .queued
        }
        switch outcome {
        case .refused: submission.continuation.resume(throwing: HTTPClientError.shutDown)
        case .queuedFirst: curl_multi_wakeup(multi.pointer)
        case .queued: break
        }
    }

    /// Asks the owner thread to abandon a request (task cancellation).
    func cancel(_ id: Int) {
        inbox.withLock { $0.cancellations.append(id) }
        curl_multi_wakeup(multi.pointer)
    }

    /// Fails what is in flight, stops the thread and frees the multi handle.
    func shutdown() {
        inbox.withLock { $0.shuttingDown = true }
        curl_multi_wakeup(multi.pointer)
    }

    // MARK: Owner thread

    private func run() {
        var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var handlesByID: [Int: UnsafeMutableRawPointer] = [:]
        var spareHandles: [UnsafeMutableRawPointer] = []
        let multi = self.multi.pointer

        func finish(_ handle: UnsafeMutableRawPointer, with result: Result<HTTPClientResponse, any Error>) {
            curl_multi_remove_handle(multi, handle)
            guard let transfer = transfers.removeValue(forKey: handle) else { return }
            handlesByID[transfer.id] = nil
            transfer.complete(result)
            // Keep a few reset handles: creating one per request is measurable.
            if spareHandles.count < 64 {
                curl_easy_reset(handle)
                spareHandles.append(handle)
            } else {
                curl_easy_cleanup(handle)
            }
        }

        while true {
            let (submissions, cancellations, shuttingDown) = inbox.withLock { inbox in
                defer {
                    inbox.submissions.removeAll(keepingCapacity: true)
                    inbox.cancellations.removeAll(keepingCapacity: true)
                }
                return (inbox.submissions, inbox.cancellations, inbox.shuttingDown)
            }
            for submission in submissions {
                let handle = spareHandles.popLast() ?? curl_easy_init()!
                do {
                    let transfer = try CurlTransfer(submission: submission, handle: handle)
                    transfers[handle] = transfer
                    handlesByID[submission.id] = handle
                    curl_multi_add_handle(multi, handle)
                } catch {
                    curl_easy_reset(handle)
                    spareHandles.append(handle)
                    submission.continuation.resume(throwing: error)
                }
            }
            for id in cancellations {
                if let handle = handlesByID[id] { finish(handle, with: .failure(CancellationError())) }
            }
            if shuttingDown {
                for handle in Array(transfers.keys) { finish(handle, with: .failure(HTTPClientError.shutDown)) }
                break
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = transfers[handle]
                else { continue }
                finish(handle, with: transfer.outcome(code: message.pointee.data.result))
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }

        spareHandles.forEach { curl_easy_cleanup($0) }
        // Submissions that raced with shutdown are failed rather than left waiting.
        for submission in inbox.withLock({ $0.submissions }) {
            submission.continuation.resume(throwing: HTTPClientError.shutDown)
        }
        curl_multi_cleanup(multi)
    }
}
