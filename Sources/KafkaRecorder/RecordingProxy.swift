import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Accepts clients on `listen`, connects each to `upstream`, and records all frames into a `FrameStore`.
public final class RecordingProxy: @unchecked Sendable {
    public let listen: Endpoint
    public let upstream: Endpoint
    public let store: FrameStore
    private var listener: Int32 = -1

    public init(listen: Endpoint, upstream: Endpoint, store: FrameStore) {
        self.listen = listen
        self.upstream = upstream
        self.store = store
    }

    /// Binds the listening socket; call before `run` so bind errors surface early.
    public func bind() throws {
        listener = try Socket.listen(on: listen)
    }

    /// Accept loop; returns only if the listener fails.
    public func run() {
        var nextConnection = 0
        while let client = Socket.accept(on: listener) {
            nextConnection += 1
            let id = nextConnection
            let upstreamFD: Int32
            do {
                upstreamFD = try Socket.connect(to: upstream)
            } catch {
                // Refused upstream: the client sees its connection close, as if the broker were down.
                RecorderLog.info("connection \(id): upstream \(upstream) unreachable (\(error)); closing client")
                close(client)
                continue
            }
            RecorderLog.info("connection \(id): opened")
            ProxyConnection(id: id, client: client, upstream: upstreamFD, store: store).start()
        }
        RecorderLog.info("listener closed")
    }
}
