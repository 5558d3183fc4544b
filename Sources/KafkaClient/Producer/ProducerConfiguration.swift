import KafkaCompression

/// Producer settings, on top of the connection settings in `ClientConfiguration`.
public struct ProducerConfiguration: Sendable {
    public enum Acks: Int16, Sendable {
        /// Fire and forget: a record counts as delivered once written to the socket.
        case none = 0
        /// The leader appended it.
        case leader = 1
        /// Every in-sync replica has it (required for idempotence).
        case all = -1
    }

    public var client: ClientConfiguration
    public var acks: Acks = .all
    /// Broker-side de-duplication of retries (producer id + sequence numbers). Requires acks=all.
    public var idempotence = true
    public var compression: CompressionCodec = .none
    /// How long a batch waits for more records before it is sent.
    public var lingerMs = 5
    /// A batch is sent once its records reach this many bytes (a larger record gets a batch of its own).
    public var batchSizeBytes = 256 * 1024
    /// Batches per partition awaiting an answer; at most 5 with idempotence (the broker
    /// remembers the last 5 batches per producer for de-duplication).
    public var maxInFlightPerPartition = 5
    public var retryBackoffMs = 100
    public var retryBackoffMaxMs = 1_000
    /// Upper bound on the time from `send`/`enqueue` to success or failure, retries included. A
    /// request already on the wire is bounded by the request timeout instead (never abandoned
    /// half-way, so the outcome stays known).
    public var deliveryTimeoutMs = 120_000
    /// Bytes of records not yet acknowledged; `send`/`enqueue` wait for room beyond this.
    public var bufferMemoryBytes = 64 * 1024 * 1024
    /// Only failures of `enqueue`d records reach `deliveryReports` (librdkafka's
    /// `delivery.report.only.error`): for high-volume producers that learn success from `flush`,
    /// it saves a stream element per record.
    public var deliveryReportsOnlyErrors = false
    /// Passed to the broker as the Produce timeout (how long it may wait for replicas).
    public var requestTimeoutMs: Int { client.requestTimeoutMs }

    public init(client: ClientConfiguration) {
        self.client = client
    }

    func validate() throws {
        if idempotence && acks != .all {
            throw KafkaClientError.invalidConfiguration("idempotence requires acks=all (got \(acks))")
        }
        if idempotence && !(1...5).contains(maxInFlightPerPartition) {
            throw KafkaClientError.invalidConfiguration("idempotence allows 1...5 batches in flight per partition (got \(maxInFlightPerPartition))")
        }
        if maxInFlightPerPartition < 1 { throw KafkaClientError.invalidConfiguration("maxInFlightPerPartition must be at least 1") }
        if batchSizeBytes < 1 || bufferMemoryBytes < 1 { throw KafkaClientError.invalidConfiguration("batch and buffer sizes must be positive") }
        if lingerMs < 0 || retryBackoffMs < 0 || retryBackoffMaxMs < retryBackoffMs || deliveryTimeoutMs < 1 {
            throw KafkaClientError.invalidConfiguration("linger, backoff and delivery timeout must be non-negative (and max backoff ≥ backoff)")
        }
    }

    /// Exponential backoff with ±20 % jitter, in nanoseconds, for the `attempt`-th retry (1-based).
    func backoffNanos(attempt: Int) -> UInt64 {
        let base = min(retryBackoffMaxMs, retryBackoffMs << min(max(attempt - 1, 0), 16))
        return UInt64(Double(base) * Double.random(in: 0.8...1.2) * 1_000_000)
    }
}
