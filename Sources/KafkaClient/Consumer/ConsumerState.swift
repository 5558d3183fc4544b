import Synchronization

/// Everything the fetcher, the group member and the record iterator share, behind one lock:
/// per-partition positions and the bounded buffer of fetched records. Handing out a record and
/// advancing its partition's position happen under the same lock, so a revocation sees exact
/// positions and no record of a revoked partition is delivered afterwards.
final class ConsumerState: Sendable {
    struct Partition {
        /// Bumped on every (re)assignment: fetch results for an older epoch are dropped.
        var epoch: UInt64
        /// Next offset to fetch; nil until `pending` is resolved.
        var fetchOffset: Int64?
        var pending: StartPosition?
        /// Last delivered offset + 1 (the start offset before anything is delivered).
        var position: Int64?
        var highWatermark: Int64?
    }

    struct Chunk {
        var partition: TopicPartition
        var epoch: UInt64
        var records: [ConsumerRecord]
        var index: Int
        var bytes: Int
        /// The assignment version at which this chunk's partition and epoch were last found
        /// current: while it holds, handing out a record needs no partition lookup.
        var checkedAt: UInt64?
    }

    enum Next {
        case record(ConsumerRecord)
        case failure(KafkaClientError)
        case end
        case wait
    }

    private struct State {
        var partitions: [TopicPartition: Partition] = [:]
        var chunks: [Chunk] = []
        var head = 0
        var bufferedBytes = 0
        var nextEpoch: UInt64 = 1
        var assignmentVersion: UInt64 = 0
        var failure: KafkaClientError?
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    // MARK: assignment

    /// Adds or restarts partitions at the given start positions.
    func assign(_ starts: [TopicPartition: StartPosition]) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            Self.settleHead(&s)
            for (tp, start) in starts {
                let epoch = s.nextEpoch
                s.nextEpoch += 1
                if case let .offset(offset) = start, offset >= 0 {
                    s.partitions[tp] = Partition(epoch: epoch, fetchOffset: offset, pending: nil, position: offset)
                } else {
                    s.partitions[tp] = Partition(epoch: epoch, fetchOffset: nil, pending: start, position: nil)
                }
            }
            s.assignmentVersion += 1
            return nil
        }
        waiter?.resume()
    }

    /// Removes partitions; answers their positions at that moment (for a final commit).
    @discardableResult
    func revoke(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        state.withLock { s in
            Self.settleHead(&s)
            var positions: [TopicPartition: Int64] = [:]
            for tp in partitions {
                if let position = s.partitions.removeValue(forKey: tp)?.position { positions[tp] = position }
            }
            s.assignmentVersion += 1
            Self.dropStaleChunks(&s)
            return positions
        }
    }

    var assignment: [TopicPartition] { state.withLock { Array($0.partitions.keys).sorted() } }
    var assignmentVersion: UInt64 { state.withLock { $0.assignmentVersion } }
    var bufferedBytes: Int { state.withLock { $0.bufferedBytes } }
    var positions: [TopicPartition: Int64] {
        state.withLock { s in
            Self.settleHead(&s)
            return s.partitions.compactMapValues(\.position)
        }
    }
    func position(_ tp: TopicPartition) -> Int64? {
        state.withLock { s in
            Self.settleHead(&s)
            return s.partitions[tp]?.position
        }
    }
    func highWatermark(_ tp: TopicPartition) -> Int64? { state.withLock { $0.partitions[tp]?.highWatermark } }

    func snapshot(_ partitions: [TopicPartition]) -> [(TopicPartition, Partition)] {
        state.withLock { s in
            Self.settleHead(&s)
            return partitions.compactMap { tp in s.partitions[tp].map { (tp, $0) } }
        }
    }

    // MARK: fetcher side

    func resolved(_ tp: TopicPartition, epoch: UInt64, offset: Int64) {
        state.withLock { s in
            Self.settleHead(&s)
            guard var p = s.partitions[tp], p.epoch == epoch else { return }
            p.pending = nil
            p.fetchOffset = offset
            p.position = offset
            s.partitions[tp] = p
        }
    }

    /// After OFFSET_OUT_OF_RANGE: look the start up again by policy.
    func reset(_ tp: TopicPartition, epoch: UInt64, to start: StartPosition?) {
        state.withLock { s in
            guard var p = s.partitions[tp], p.epoch == epoch else { return }
            p.pending = start
            p.fetchOffset = nil
            s.partitions[tp] = p
        }
    }

    /// Buffers fetched records if the partition is still where the fetch started.
    func append(_ tp: TopicPartition, epoch: UInt64, fetchedAt offset: Int64, records: [ConsumerRecord],
                nextOffset: Int64, bytes: Int, highWatermark: Int64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard var p = s.partitions[tp], p.epoch == epoch, p.fetchOffset == offset else { return nil }
            p.fetchOffset = max(offset, nextOffset)
            p.highWatermark = highWatermark
            s.partitions[tp] = p
            guard !records.isEmpty else { return nil }
            s.chunks.append(Chunk(partition: tp, epoch: epoch, records: records, index: 0, bytes: bytes, checkedAt: nil))
            s.bufferedBytes += bytes
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// A fatal error for the record sequence: thrown once, after what is buffered.
    func fail(_ error: KafkaClientError) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.failure = error
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.finished = true
            s.partitions = [:]
            s.chunks = []
            s.head = 0
            s.bufferedBytes = 0
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    // MARK: iterator side

    /// Hands out one record. Its partition's position advances with it, but is written to the
    /// partition only when the chunk is done or someone reads positions (`settleHead`): no
    /// dictionary lookup per record.
    func next() -> Next {
        state.withLock { s in
            if s.finished { return .end }
            while s.head < s.chunks.count {
                if s.chunks[s.head].checkedAt != s.assignmentVersion {
                    let tp = s.chunks[s.head].partition
                    guard let p = s.partitions[tp], p.epoch == s.chunks[s.head].epoch else {
                        Self.popChunk(&s)
                        continue
                    }
                    s.chunks[s.head].checkedAt = s.assignmentVersion
                }
                let record = s.chunks[s.head].records[s.chunks[s.head].index]
                s.chunks[s.head].index += 1
                if s.chunks[s.head].index == s.chunks[s.head].records.count { Self.popChunk(&s) }
                return .record(record)
            }
            if let failure = s.failure {
                s.failure = nil
                return .failure(failure)
            }
            return .wait
        }
    }

    /// Writes the head chunk's delivery progress into its partition's position (if the chunk
    /// is still current). Every reader and writer of positions calls this first.
    private static func settleHead(_ s: inout State) {
        guard s.head < s.chunks.count else { return }
        let chunk = s.chunks[s.head]
        guard chunk.index > 0, s.partitions[chunk.partition]?.epoch == chunk.epoch else { return }
        s.partitions[chunk.partition]?.position = chunk.records[chunk.index - 1].offset + 1
    }

    /// Waits until something may be available (or the waiting task is cancelled).
    func waitForRecords() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if s.finished || s.failure != nil || s.head < s.chunks.count || Task.isCancelled { return true }
                    s.waiter?.resume()
                    s.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }

    private static func popChunk(_ s: inout State) {
        settleHead(&s)
        s.bufferedBytes -= s.chunks[s.head].bytes
        s.head += 1
        if s.head == s.chunks.count {
            s.chunks.removeAll(keepingCapacity: true)
            s.head = 0
        } else if s.head >= 64 && s.head * 2 >= s.chunks.count {
            s.chunks.removeFirst(s.head)
            s.head = 0
        }
    }

    private static func dropStaleChunks(_ s: inout State) {
        var kept: [Chunk] = []
        var bytes = 0
        for chunk in s.chunks[s.head...] where s.partitions[chunk.partition]?.epoch == chunk.epoch {
            kept.append(chunk)
            bytes += chunk.bytes
        }
        s.chunks = kept
        s.head = 0
        s.bufferedBytes = bytes
    }
}

extension ConsumerState {
    /// Stops fetching a partition whose data cannot be read (it stays assigned).
    func halt(_ tp: TopicPartition, epoch: UInt64) {
        reset(tp, epoch: epoch, to: nil)
    }
}
