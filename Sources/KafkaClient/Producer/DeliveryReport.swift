import KafkaProtocol

/// Where the broker put a record.
public struct RecordMetadata: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// -1 when unknown (acks=0, or a retry the broker recognised as a duplicate).
    public var offset: Int64
    /// The record's create time, or the broker's append time for log-append-time topics (ms).
    public var timestamp: Int64

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}

/// The outcome of one `enqueue`, on `KafkaProducer.deliveryReports`. Reports for one partition
/// arrive in enqueue order; across partitions, in completion order.
public struct DeliveryReport: Sendable {
    /// The number `enqueue` returned.
    public var id: UInt64
    public var topic: String
    public var partition: Int32
    public var result: Result<RecordMetadata, KafkaClientError>
}
