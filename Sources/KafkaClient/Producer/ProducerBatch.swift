import KafkaCompression
import KafkaProtocol

/// Who learns a record's fate: an awaiting `send`, or the delivery-report stream.
enum RecordCompletion: Sendable {
    case awaiting(CheckedContinuation<RecordMetadata, any Error>)
    case report(UInt64)
}

/// What a Produce attempt said about one batch.
enum BatchOutcome: Sendable {
    case success(baseOffset: Int64, logAppendTime: Int64)
    /// Worth another attempt (after backoff, in sequence order) until the delivery timeout.
    case retry(KafkaClientError)
    /// OUT_OF_ORDER_SEQUENCE_NUMBER: retriable only if an earlier batch is being retried.
    case outOfOrder(KafkaClientError)
    /// The producer id or epoch is gone: get a new epoch, then resend this batch.
    case needsNewEpoch(KafkaClientError)
    case failed(KafkaClientError)
}

/// Records for one partition that travel together in one v2 record batch.
struct ProducerBatch: Sendable {
    let id: UInt64
    let tp: TopicPartition
    let createdAt: UInt64
    let baseTimestamp: Int64
    var records: [Record] = []
    var completions: [RecordCompletion] = []
    /// Estimated bytes, counted against the buffer memory until the batch completes.
    var sizeBytes = 0
    /// Assigned when first sent (idempotence), kept across retries; -1 until then.
    var baseSequence: Int32 = -1
    var producerId: Int64 = -1
    var producerEpoch: Int16 = -1
    var attempts = 0
    var retryAt: UInt64 = 0
    var outcome: BatchOutcome?
    var lastError: KafkaClientError?

    init(id: UInt64, tp: TopicPartition, createdAt: UInt64, baseTimestamp: Int64) {
        self.id = id
        self.tp = tp
        self.createdAt = createdAt
        self.baseTimestamp = baseTimestamp
    }

    mutating func append(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], timestamp: Int64,
                         size: Int, completion: RecordCompletion) {
        records.append(Record(timestampDelta: timestamp &- baseTimestamp, offsetDelta: Int32(records.count),
                              key: key, value: value, headers: headers))
        completions.append(completion)
        sizeBytes += size
    }

    func encode(codec: CompressionCodec) throws -> [UInt8] {
        let batch = RecordBatch(
            attributes: RecordBatchAttributes(compression: codec), baseTimestamp: baseTimestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence, records: records)
        return try RecordBatchEncoder.encode(batch)
    }

    /// Rough bytes a record takes in a batch (for batch size and buffer accounting).
    static func estimateSize(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) -> Int {
        var size = 21 + (key?.count ?? 0) + (value?.count ?? 0)
        for header in headers { size += 10 + header.key.utf8.count + (header.value?.count ?? 0) }
        return size
    }
}

extension BatchOutcome {
    /// Classifies a partition's error code from a ProduceResponse.
    static func classify(_ code: KafkaErrorCode, _ error: KafkaClientError) -> BatchOutcome {
        switch code {
        case .outOfOrderSequenceNumber: return .outOfOrder(error)
        case .unknownProducerId, .invalidProducerEpoch: return .needsNewEpoch(error)
        case .notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition, .requestTimedOut,
             .networkException, .notEnoughReplicas, .notEnoughReplicasAfterAppend, .kafkaStorageError,
             .fencedLeaderEpoch, .unknownLeaderEpoch, .unknownTopicId:
            return .retry(error)
        default:
            return code.isRetriable ? .retry(error) : .failed(error)
        }
    }

    /// Whether routing information may be stale (refresh metadata before retrying).
    var invalidatesMetadata: Bool {
        switch self {
        case let .retry(error):
            switch error.errorCode {
            case .notLeaderOrFollower?, .leaderNotAvailable?, .unknownTopicOrPartition?, .fencedLeaderEpoch?,
                 .unknownLeaderEpoch?, .kafkaStorageError?, .unknownTopicId?, nil:
                return true
            default: return false
            }
        default: return false
        }
    }
}
