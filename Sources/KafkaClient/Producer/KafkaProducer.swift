import Glibc
import KafkaProtocol
import Synchronization

/// Publishes records to Kafka. Records are grouped per partition into batches (sent when full,
/// when `lingerMs` passes, or on `flush`), batches for one broker share a Produce request, and
/// failures are retried with backoff until `deliveryTimeoutMs`. With idempotence (the default)
/// the broker drops duplicates that retries create.
///
/// All methods are safe to call from any task. The hot path takes one lock per record and
/// creates no task; a single sender task (started on first use, ended by `close`) does the rest.
/// Call `close()` when done: it delivers what is pending and stops the sender.
public final class KafkaProducer: Sendable {
    public let configuration: ProducerConfiguration
    let cluster: KafkaCluster
    private let ownsCluster: Bool
    let state: Mutex<AccumulatorState>
    let signal = SenderSignal()
    private let senderTask = Mutex<Task<Void, Never>?>(nil)
    private let gates = Mutex<[Int32: SinkGate]>([:])

    /// Outcomes of `enqueue`, one per record; finishes after `close`.
    public let deliveryReports: AsyncStream<DeliveryReport>

    public convenience init(configuration: ProducerConfiguration) throws {
        try self.init(configuration: configuration, cluster: KafkaCluster(configuration: configuration.client), ownsCluster: true)
    }

    /// Shares `cluster` (its connections and metadata) with other clients; `close` leaves it open.
    public convenience init(configuration: ProducerConfiguration, cluster: KafkaCluster) throws {
        try self.init(configuration: configuration, cluster: cluster, ownsCluster: false)
    }

    private init(configuration: ProducerConfiguration, cluster: KafkaCluster, ownsCluster: Bool) throws {
        try configuration.validate()
        self.configuration = configuration
        self.cluster = cluster
        self.ownsCluster = ownsCluster
        let (stream, continuation) = AsyncStream<DeliveryReport>.makeStream()
        self.deliveryReports = stream
        self.state = Mutex(AccumulatorState(config: configuration, reports: continuation))
    }

    // MARK: sending

    /// Sends one record and returns where the broker stored it (acks=0: once it is written to
    /// the socket, offset -1). Waits while the buffer is full. Throws `KafkaClientError`.
    /// `partition` overrides the partitioner; `timestamp` (ms since the epoch) defaults to now.
    @discardableResult
    public nonisolated(nonsending) func send(
        topic: String, key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [],
        partition: Int32? = nil, timestamp: Int64? = nil
    ) async throws -> RecordMetadata {
        let prepared = try await prepare(topic: topic, key: key, value: value, headers: headers, partition: partition)
        let timestamp = timestamp ?? Self.wallClockMillis()
        return try await withCheckedThrowingContinuation { continuation in
            let wake = state.withLock { state -> Bool? in
                if let error = state.fatal ?? (state.closing ? KafkaClientError.closed : nil) {
                    state.release(prepared.size)
                    continuation.resume(throwing: error)
                    return nil
                }
                return state.append(topic: topic, partition: partition, keyPartition: prepared.keyPartition, key: key, value: value,
                                    headers: headers, timestamp: timestamp, size: prepared.size,
                                    completion: .awaiting(continuation), now: IOLoop.monotonicNanos())
            }
            if wake == true { signal.signal() }
        }
    }

    /// Queues one record without waiting for the broker (only, when the buffer is full, for
    /// room). Its outcome arrives on `deliveryReports` with the id returned here.
    @discardableResult
    public nonisolated(nonsending) func enqueue(
        topic: String, key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [],
        partition: Int32? = nil, timestamp: Int64? = nil
    ) async throws -> UInt64 {
        let prepared = try await prepare(topic: topic, key: key, value: value, headers: headers, partition: partition)
        let timestamp = timestamp ?? Self.wallClockMillis()
        let (id, wake) = try state.withLock { state -> (UInt64, Bool) in
            if let error = state.fatal ?? (state.closing ? KafkaClientError.closed : nil) {
                state.release(prepared.size)
                throw error
            }
            let id = state.nextReportId
            state.nextReportId += 1
            let wake = state.append(topic: topic, partition: partition, keyPartition: prepared.keyPartition, key: key, value: value,
                                    headers: headers, timestamp: timestamp, size: prepared.size,
                                    completion: .report(id), now: IOLoop.monotonicNanos())
            return (id, wake)
        }
        if wake { signal.signal() }
        return id
    }

    @discardableResult
    public nonisolated(nonsending) func send(topic: String, key: String? = nil, value: String?, headers: [RecordHeader] = [],
                     partition: Int32? = nil, timestamp: Int64? = nil) async throws -> RecordMetadata {
        try await send(topic: topic, key: key.map { Array($0.utf8) }, value: value.map { Array($0.utf8) },
                       headers: headers, partition: partition, timestamp: timestamp)
    }

    @discardableResult
    public nonisolated(nonsending) func enqueue(topic: String, key: String? = nil, value: String?, headers: [RecordHeader] = [],
                        partition: Int32? = nil, timestamp: Int64? = nil) async throws -> UInt64 {
        try await enqueue(topic: topic, key: key.map { Array($0.utf8) }, value: value.map { Array($0.utf8) },
                          headers: headers, partition: partition, timestamp: timestamp)
    }

    /// Checks the record, learns the topic's partition count (first use of a topic), starts the
    /// sender (first use of the producer) and reserves buffer room, waiting for it if needed.
    private nonisolated(nonsending) func prepare(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], partition: Int32?)
        async throws -> (size: Int, keyPartition: Int32?) {
        let size = ProducerBatch.estimateSize(key: key, value: value, headers: headers)
        var (count, reserved) = try state.withLock { state -> (Int?, Bool) in
            if let fatal = state.fatal { throw fatal }
            if state.closing { throw KafkaClientError.closed }
            let count = state.partitionCounts[topic]
            return (count, count != nil && state.tryReserve(size))
        }
        if count == nil {
            count = try await learnPartitionCount(topic)
            startSenderIfNeeded()
        }
        guard let count else { throw KafkaClientError.unknownTopic(topic) }
        if let partition, partition < 0 || Int(partition) >= count {
            throw KafkaClientError.partition(.unknownTopicOrPartition, topic: topic, partition: partition, broker: nil)
        }
        if !reserved { try await reserve(size) }
        return (size, key.map { Partitioner.partition(forKey: $0, partitionCount: count) })
    }

    /// Waits, FIFO, until the buffer has room for `size` bytes (reserved on return).
    private nonisolated(nonsending) func reserve(_ size: Int) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Bool, KafkaClientError> in
                if let error = state.fatal ?? (state.closing ? KafkaClientError.closed : nil) { return .failure(error) }
                if state.tryReserve(size) { return .success(true) }
                state.spaceWaiters.append((size, continuation))
                return .success(false)
            }
            switch outcome {
            case .success(true): continuation.resume()
            case .success(false): break
            case let .failure(error): continuation.resume(throwing: error)
            }
        }
    }

    /// The topic's partition count, from metadata; retried until the delivery timeout while the
    /// topic is unknown or no broker answers.
    private nonisolated(nonsending) func learnPartitionCount(_ topic: String) async throws -> Int {
        let deadline = IOLoop.monotonicNanos() + UInt64(configuration.deliveryTimeoutMs) * 1_000_000
        var attempt = 0
        while true {
            attempt += 1
            do {
                let info = try await cluster.topicMetadata(topic)
                guard !info.partitions.isEmpty else { throw KafkaClientError.unknownTopic(topic) }
                let count = info.partitions.count
                state.withLock { $0.partitionCounts[topic] = count }
                return count
            } catch let error as KafkaClientError {
                let retriable: Bool
                switch error {
                case .unknownTopic, .noBrokerReachable: retriable = true
                default: retriable = error.isRetriable
                }
                let backoff = configuration.backoffNanos(attempt: attempt)
                guard retriable, IOLoop.monotonicNanos() + backoff < deadline else {
                    throw retriable ? KafkaClientError.timedOut("metadata for \(topic) within \(configuration.deliveryTimeoutMs) ms; last error: \(error)") : error
                }
                await cluster.invalidate(topic: topic)
                try await Task.sleep(nanoseconds: backoff)
            }
        }
    }

    // MARK: flush and close

    /// Sends every batch now (ignoring linger) and returns when all records enqueued before the
    /// call have succeeded or failed.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock { state in
                let target = state.nextBatchId - 1
                if (state.incomplete.min() ?? .max) > target {
                    continuation.resume()
                } else {
                    state.flushWaiters.append((target, continuation))
                }
            }
            signal.signal()
        }
    }

    /// Delivers what is pending (each failure reported to its record), stops the sender,
    /// closes the connections (when the producer owns the cluster) and finishes `deliveryReports`.
    /// Sends after `close` throw `.closed`.
    public func close() async {
        let waiters = state.withLock { state in
            state.closing = true
            defer { state.spaceWaiters = [] }
            return state.spaceWaiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: KafkaClientError.closed) }
        signal.signal()
        if let task = senderTask.withLock({ $0 }) { await task.value }
        if configuration.acks == .none { await waitUntilWritten() }
        if ownsCluster { await cluster.close() }
        state.withLock { $0.reports.finish() }
    }

    /// acks=0 records count as sent once queued on a connection; a request that gets an answer,
    /// sent after them on the same connection, proves they were written before it is closed.
    private func waitUntilWritten() async {
        let brokers = gates.withLock { Array($0.keys) }
        for nodeId in brokers {
            guard let session = try? await cluster.session(for: nodeId) else { continue }
            _ = try? await session.send(ApiVersionsRequest())
        }
    }

    /// The request order for broker `nodeId` (one per broker for the producer's life).
    func sinkGate(for nodeId: Int32) -> SinkGate {
        gates.withLock { gates in
            if let gate = gates[nodeId] { return gate }
            let gate = SinkGate()
            gates[nodeId] = gate
            return gate
        }
    }

    private func startSenderIfNeeded() {
        senderTask.withLock { task in
            guard task == nil else { return }
            task = Task { await self.runSender() }
        }
    }

    static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
