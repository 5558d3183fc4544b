import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client connection and its upstream twin: two pump threads copy bytes unchanged and
/// record each frame. Responses are matched to requests by correlation id, oldest first.
final class ProxyConnection: @unchecked Sendable {
    let id: Int
    private let client: Int32
    private let upstream: Int32
    private let store: FrameStore
    private let lock = NSLock()
    private var pending: [FrameHeader.Request] = []
    private var closedSides = 0

    init(id: Int, client: Int32, upstream: Int32, store: FrameStore) {
        self.id = id
        self.client = client
        self.upstream = upstream
        self.store = store
    }

    func start() {
        Thread.detachNewThread { [self] in pump(from: client, to: upstream, direction: .request) }
        Thread.detachNewThread { [self] in pump(from: upstream, to: client, direction: .response) }
    }

    private func pump(from source: Int32, to sink: Int32, direction: FrameStore.Direction) {
        var splitter = FrameSplitter()
        let side = direction == .request ? "client" : "broker"
        var reason = "\(side) closed"
        loop: while true {
            let bytes = Socket.read(source)
            if bytes.isEmpty { break }
            do {
                // Record before forwarding, so a request is always logged before its response.
                for frame in try splitter.push(bytes) {
                    try record(frame, direction)
                }
            } catch {
                reason = "\(side) sent a bad frame (\(error)); closing"
                break loop
            }
            if !Socket.writeAll(sink, bytes[...]) {
                reason = "\(direction == .request ? "broker" : "client") gone while forwarding"
                break
            }
        }
        if splitter.pendingByteCount > 0 && !reason.hasSuffix("closing") {
            reason += ", \(splitter.pendingByteCount) bytes of an incomplete frame dropped"
        }
        finish(reason)
    }

    private func record(_ frame: [UInt8], _ direction: FrameStore.Direction) throws {
        switch direction {
        case .request:
            guard let header = FrameHeader.request(frame) else {
                throw FrameSplitter.BadSize(size: Int32(frame.count - 4))
            }
            lock.lock()
            pending.append(header)
            lock.unlock()
            try store.record(
                frame: frame, direction: .request, apiKey: Int(header.apiKey),
                apiVersion: Int(header.apiVersion), correlationId: Int(header.correlationId),
                connection: id)
        case .response:
            guard let correlationId = FrameHeader.responseCorrelationId(frame) else {
                throw FrameSplitter.BadSize(size: Int32(frame.count - 4))
            }
            lock.lock()
            let index = pending.firstIndex { $0.correlationId == correlationId }
            let request = index.map { pending.remove(at: $0) }
            lock.unlock()
            if request == nil {
                RecorderLog.info("connection \(id): response with correlation id \(correlationId) matches no request")
            }
            try store.record(
                frame: frame, direction: .response, apiKey: Int(request?.apiKey ?? -1),
                apiVersion: Int(request?.apiVersion ?? -1), correlationId: Int(correlationId),
                connection: id)
        }
    }

    /// Either side ending ends both: shutdown wakes the other pump; the last one closes.
    private func finish(_ reason: String) {
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
        lock.lock()
        closedSides += 1
        let last = closedSides == 2
        let unanswered = pending.count
        lock.unlock()
        guard last else {
            RecorderLog.info("connection \(id): \(reason)")
            return
        }
        close(client)
        close(upstream)
        if unanswered > 0 {
            RecorderLog.info("connection \(id): closed with \(unanswered) request(s) unanswered")
        }
    }
}
