import Glibc
import KafkaProtocol
import Synchronization

/// One TCP connection to one broker: framing, pipelined requests matched by correlation id,
/// a bound on requests in flight, per-request deadlines. State lives on the I/O loop thread;
/// the async API hands work there and awaits continuations.
public final class BrokerConnection: @unchecked Sendable, SocketChannel.Handler {
    public struct Options: Sendable {
        public var clientId: String = "swift-kafka"
        public var connectTimeoutMs: Int = 10_000
        public var requestTimeoutMs: Int = 30_000
        public var maxInFlight: Int = 16
        public var maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize
        /// TLS for this connection (SSL, SASL_SSL); nil for plaintext.
        public var tls: TLSConfiguration?
        /// SASL after ApiVersions (SASL_PLAINTEXT, SASL_SSL); run by `BrokerSession.open`.
        public var sasl: SASLConfiguration?
        public init() {}
    }

    public let host: String
    public let port: Int
    public var peer: String { "\(host):\(port)" }
    let options: Options
    let loop: IOLoop

    // Loop-thread state.
    private var channel: SocketChannel?
    private var decoder: FrameDecoder
    private var inFlight: [Int32: PendingRequest] = [:]
    private var waitingToSend: [QueuedRequest] = []
    private var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    private var connectDeadline: UInt64 = 0
    private var receivedAnyFrame = false
    /// Correlation ids of recent requests sent without expecting an answer (Produce acks=0).
    /// Kafka brokers send none, Tansu sends one anyway; such an answer is dropped, while an
    /// answer nobody asked for is a protocol error.
    private var unansweredIds: [Int32] = []
    private var closedError: (any Error)?
    /// Mirrors `closedError != nil` for readers off the loop thread (session caches).
    private let closedFlag = Atomic<Bool>(false)
    private let nextCorrelationId = Atomic<Int32>(1)
    /// Set before the first connect attempt, read on the loop thread afterwards.
    private var tlsContext: TLSContext?
    /// While re-authenticating, only SASL requests go out (a Kafka broker closes a connection
    /// that sends anything else mid-exchange); the others wait in `waitingToSend`.
    private var paused = false
    private var drainWaiters: [CheckedContinuation<Void, any Error>] = []

    struct PendingRequest {
        let apiKey: Int16
        let timeoutMs: Int
        let deadline: UInt64
        /// nil for requests that expect no answer (Produce acks=0); a stray answer is ignored.
        let continuation: CheckedContinuation<[UInt8], any Error>?
    }

    struct QueuedRequest {
        let correlationId: Int32
        let frame: [UInt8]
        let pending: PendingRequest
        /// SASL re-authentication traffic, sent while other requests are held back.
        var duringPause = false
    }

    init(host: String, port: Int, options: Options, loop: IOLoop = .shared) {
        self.host = host
        self.port = port
        self.options = options
        self.loop = loop
        self.decoder = FrameDecoder(maxFrameSize: options.maxFrameSize)
    }

    /// Opens a connection: resolves the host off the cooperative pool, connects without
    /// blocking, and fails after the connect timeout.
    public static func connect(host: String, port: Int, options: Options = Options()) async throws -> BrokerConnection {
        let connection = BrokerConnection(host: host, port: port, options: options)
        do {
            if let tls = options.tls {
                do {
                    connection.tlsContext = try TLSContext(tls)
                } catch {
                    throw TransportError.tlsFailed(peer: connection.peer, cause: .configuration, detail: error.detail)
                }
            }
            let addresses = try await Resolver.resolve(host: host, port: port)
            try await connection.open(addresses: addresses)
        } catch let error as TransportError {
            throw KafkaClientError.transport(error)
        }
        return connection
    }

    private func open(addresses: [Resolver.Address]) async throws {
        var lastError: (any Error)?
        for address in addresses {
            do {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    loop.execute { self.startConnect(address, continuation) }
                }
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TransportError.resolveFailed(host: host, detail: "no addresses")
    }

    private func startConnect(_ address: Resolver.Address, _ continuation: CheckedContinuation<Void, any Error>) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            continuation.resume(throwing: TransportError.connectFailed(peer: peer, errno: errno))
            return
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = address.storage.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), address.length)
        }
        if result != 0 && errno != EINPROGRESS {
            let code = errno
            Glibc.close(fd)
            continuation.resume(throwing: TransportError.connectFailed(peer: peer, errno: code))
            return
        }
        let channel = SocketChannel(fd: fd, peer: peer, loop: loop)
        channel.handler = self
        if let tlsContext {
            do {
                channel.tls = try TLSStream(context: tlsContext, host: host)
            } catch {
                Glibc.close(fd)
                continuation.resume(throwing: TransportError.tlsFailed(peer: peer, cause: .configuration, detail: error.detail))
                return
            }
        }
        self.channel = channel
        connectWaiters.append(continuation)
        connectDeadline = IOLoop.monotonicNanos() + UInt64(options.connectTimeoutMs) * 1_000_000
        loop.register(channel)
        loop.addTimer(self) { [weak self] now in self?.tick(now) }
    }

    // MARK: requests

    /// Sends a request and waits for the response. Transport failures surface as
    /// `KafkaClientError.transport`; an undecodable response as `.protocolViolation`.
    /// `queued` runs once the request holds its place in the connection's send order (callers
    /// that must keep several requests in order start the next one after it).
    public func send<Request: KafkaMessage>(
        _ request: Request, version: Int16, timeoutMs: Int? = nil, queued: (@Sendable () -> Void)? = nil
    ) async throws -> ResponseFrame {
        try await send(request, version: version, timeoutMs: timeoutMs, queued: queued, duringPause: false)
    }

    func send<Request: KafkaMessage>(
        _ request: Request, version: Int16, timeoutMs: Int? = nil, queued: (@Sendable () -> Void)? = nil, duringPause: Bool
    ) async throws -> ResponseFrame {
        let (apiKey, correlationId, frame) = try encode(request, version: version)
        let answer: [UInt8]?
        do {
            answer = try await sendRaw(frame, correlationId: correlationId, apiKey: apiKey,
                                       expectResponse: true, timeoutMs: timeoutMs ?? options.requestTimeoutMs, queued: queued,
                                       duringPause: duringPause)
        } catch let error as TransportError {
            throw KafkaClientError.transport(error)
        }
        guard let answer else { throw KafkaClientError.transport(.closed) }
        do {
            return try ResponseFrame.decode(answer, apiKey: apiKey, apiVersion: version)
        } catch let error as KafkaCodecError {
            // A response we cannot read leaves the stream in doubt: close the connection.
            close()
            throw KafkaClientError.protocolViolation(broker: peer, detail: "\(error)")
        }
    }

    /// Sends a request that gets no response (Produce with acks=0).
    public func sendWithoutResponse<Request: KafkaMessage>(_ request: Request, version: Int16) async throws {
        let (apiKey, correlationId, frame) = try encode(request, version: version)
        _ = try await sendRaw(frame, correlationId: correlationId, apiKey: apiKey,
                              expectResponse: false, timeoutMs: options.requestTimeoutMs)
    }

    private func encode<Request: KafkaMessage>(_ request: Request, version: Int16) throws -> (Int16, Int32, [UInt8]) {
        guard let apiKey = Request.apiKey else {
            throw KafkaClientError.invalidConfiguration("\(Request.messageName) is not a request")
        }
        let correlationId = nextCorrelationId.wrappingAdd(1, ordering: .relaxed).oldValue
        var header = RequestHeader()
        header.requestApiKey = apiKey
        header.requestApiVersion = version
        header.correlationId = correlationId
        header.clientId = options.clientId
        return (apiKey, correlationId, try Self.frame(header: header, body: request, version: version))
    }

    /// The request with its size prefix, written once into a buffer sized up front for Produce
    /// requests (their record batches are most of the bytes): no regrowing, no copy to prefix it.
    static func frame<Request: KafkaMessage>(header: RequestHeader, body: Request, version: Int16) throws -> [UInt8] {
        var capacity = 512
        if let produce = body as? ProduceRequest {
            for topic in produce.topicData {
                capacity += topic.name.utf8.count + 16
                for partition in topic.partitionData { capacity += (partition.records?.count ?? 0) + 16 }
            }
        }
        var writer = WireWriter(capacity: capacity)
        writer.writeInt32(0)  // size, patched below
        do {
            let api = try KafkaApis.require(key: header.requestApiKey, version: version)
            try header.encode(to: &writer, version: api.requestHeaderVersion(for: version))
            try body.encode(to: &writer, version: version)
        } catch let error as KafkaCodecError {
            throw error.forApi(key: header.requestApiKey, version: version)
        }
        writer.patchUInt32(UInt32(truncatingIfNeeded: writer.count - 4), at: 0)
        return writer.bytes
    }

    /// Sends a request frame (size prefix, header, body) and returns the response payload, or
    /// nil at once when no response is expected.
    func sendRaw(_ framed: [UInt8], correlationId: Int32, apiKey: Int16, expectResponse: Bool, timeoutMs: Int,
                 queued: (@Sendable () -> Void)? = nil, duringPause: Bool = false) async throws -> [UInt8]? {
        let deadline = IOLoop.monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        if !expectResponse {
            loop.execute {
                self.enqueue(QueuedRequest(correlationId: correlationId, frame: framed,
                                           pending: PendingRequest(apiKey: apiKey, timeoutMs: timeoutMs, deadline: deadline, continuation: nil)))
            }
            return nil
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            loop.execute {
                self.enqueue(QueuedRequest(correlationId: correlationId, frame: framed,
                                           pending: PendingRequest(apiKey: apiKey, timeoutMs: timeoutMs, deadline: deadline, continuation: continuation),
                                           duringPause: duringPause))
            }
            // The loop runs work in `execute` order, so this request's place is fixed now.
            queued?()
        }
    }

    private func enqueue(_ request: QueuedRequest) {
        if let closedError {
            request.pending.continuation?.resume(throwing: closedError)
            return
        }
        waitingToSend.append(request)
        drainQueue()
    }

    private func drainQueue() {
        guard let channel, channel.state == .open else { return }
        while inFlight.count < options.maxInFlight,
              let index = paused ? waitingToSend.firstIndex(where: \.duringPause) : waitingToSend.indices.first {
            let request = waitingToSend.remove(at: index)
            if request.pending.continuation != nil {
                inFlight[request.correlationId] = request.pending
            } else {
                unansweredIds.append(request.correlationId)
                if unansweredIds.count > 4096 { unansweredIds.removeFirst(2048) }
            }
            channel.write(request.frame)
        }
    }

    // MARK: loop-thread events

    func channelDidConnect(_ channel: SocketChannel) {
        let waiters = connectWaiters
        connectWaiters = []
        for waiter in waiters { waiter.resume() }
        drainQueue()
    }

    func channel(_ channel: SocketChannel, didRead bytes: UnsafeRawBufferPointer) {
        decoder.append(bytes)
        do {
            while let payload = try decoder.next() {
                receivedAnyFrame = true
                try deliver(payload)
            }
        } catch let error as TransportError {
            fail(error)
        } catch {
            fail(receivedAnyFrame
                 ? TransportError.connectionReset(peer: peer, detail: "\(error)")
                 : TransportError.notKafka(peer: peer, detail: Self.diagnoseFirstBytes(bytes, error)))
        }
        drainQueue()
    }

    private func deliver(_ payload: [UInt8]) throws {
        var reader = WireReader(payload)
        let correlationId = try reader.readInt32()
        guard let pending = inFlight.removeValue(forKey: correlationId) else {
            if let index = unansweredIds.firstIndex(of: correlationId) {
                unansweredIds.remove(at: index)
                return
            }
            throw TransportError.unexpectedCorrelationId(peer: peer, got: correlationId)
        }
        pending.continuation?.resume(returning: payload)
        if paused && inFlight.isEmpty && !drainWaiters.isEmpty {
            let waiters = drainWaiters
            drainWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }

    // MARK: re-authentication

    /// Holds back new requests and returns once every request in flight has its answer, so
    /// SASL re-authentication runs alone on the connection (as Kafka's Java client does it).
    func pauseForReauthentication() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            loop.execute {
                if let closedError = self.closedError {
                    continuation.resume(throwing: closedError)
                    return
                }
                self.paused = true
                if self.inFlight.isEmpty {
                    continuation.resume()
                } else {
                    self.drainWaiters.append(continuation)
                }
            }
        }
    }

    /// Requests written and not yet answered (tests of the pause).
    var inFlightCount: Int {
        get async {
            await withCheckedContinuation { continuation in
                loop.execute { continuation.resume(returning: self.inFlight.count) }
            }
        }
    }

    /// Lets held-back requests go again.
    func resumeAfterReauthentication() {
        loop.execute {
            self.paused = false
            self.drainQueue()
        }
    }

    func channel(_ channel: SocketChannel, didCloseWith error: TransportError?) {
        var reason: TransportError = error ?? .closed
        // Closed (or reset, when our first request raced the close) before a single frame came
        // back: the listener wanted something else first, typically TLS or SASL.
        if !receivedAnyFrame {
            switch reason {
            case .closedByPeer, .connectionReset:
                reason = tlsContext != nil
                    ? .tlsFailed(peer: peer, cause: .closedAfterHandshake, detail: "before the first answer")
                    : .closedRightAfterConnect(peer: peer)
            default: break
            }
        }
        failAll(reason)
    }

    private func tick(_ now: UInt64) {
        if !connectWaiters.isEmpty && now > connectDeadline {
            if channel?.state == .handshaking {
                fail(TransportError.tlsFailed(peer: peer, cause: .handshakeTimedOut, detail: "\(options.connectTimeoutMs) ms"))
                return
            }
            fail(TransportError.connectTimedOut(peer: peer, milliseconds: options.connectTimeoutMs))
            return
        }
        // A request past its deadline: the answers on this connection are ordered, so the
        // connection cannot be trusted any more. Close it, as the Java client does.
        for (_, pending) in inFlight where now > pending.deadline {
            fail(TransportError.requestTimedOut(peer: peer, apiKey: pending.apiKey, milliseconds: pending.timeoutMs))
            return
        }
        for queued in waitingToSend where now > queued.pending.deadline {
            fail(TransportError.requestTimedOut(peer: peer, apiKey: queued.pending.apiKey, milliseconds: queued.pending.timeoutMs))
            return
        }
    }

    private func fail(_ error: any Error) {
        if let channel, channel.state != .closed {
            channel.close(error: error as? TransportError ?? .connectionReset(peer: peer, detail: "\(error)"))
        } else {
            failAll(error)
        }
    }

    private func failAll(_ error: any Error) {
        if closedError == nil {
            closedError = error
            closedFlag.store(true, ordering: .releasing)
        }
        loop.removeTimer(self)
        let waiters = connectWaiters
        connectWaiters = []
        for waiter in waiters { waiter.resume(throwing: error) }
        let pending = inFlight
        inFlight = [:]
        for (_, request) in pending { request.continuation?.resume(throwing: error) }
        let queued = waitingToSend
        waitingToSend = []
        for request in queued { request.pending.continuation?.resume(throwing: error) }
        let draining = drainWaiters
        drainWaiters = []
        for waiter in draining { waiter.resume(throwing: error) }
    }

    /// Closes the connection; requests waiting for answers fail with `.closed`.
    public func close() {
        loop.execute {
            if let channel = self.channel, channel.state != .closed {
                channel.close(error: nil)
            } else {
                self.failAll(TransportError.closed)
            }
        }
    }

    /// True once the connection has failed or been closed; read without a trip to the loop
    /// thread, so a cache can skip a dead connection before handing it out.
    public var hasClosed: Bool { closedFlag.load(ordering: .acquiring) }

    public var isClosed: Bool {
        get async {
            await withCheckedContinuation { continuation in
                loop.execute { continuation.resume(returning: self.closedError != nil) }
            }
        }
    }

    /// Names what the first bytes from a port look like when they are not a Kafka frame.
    static func diagnoseFirstBytes(_ bytes: UnsafeRawBufferPointer, _ error: any Error) -> String {
        let prefix = Array(bytes.prefix(8))
        if prefix.starts(with: Array("HTTP/".utf8)) { return "first bytes look like HTTP: wrong port?" }
        if prefix.first == 0x16 || prefix.first == 0x15 { return "first bytes look like TLS: is this an SSL listener?" }
        if prefix.starts(with: Array("SSH-".utf8)) { return "first bytes look like SSH: wrong port?" }
        return "\(error)"
    }
}
