/// Where a manually assigned partition starts.
public enum StartPosition: Sendable, Equatable {
    case earliest
    case latest
    case offset(Int64)
    /// The first offset whose timestamp is at or after this (ms since the epoch), as the broker
    /// resolves it (Tansu answers the base offset of the batch holding it).
    case timestamp(Int64)
}

/// A record as delivered to the application.
public struct ConsumerRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [(key: String, value: [UInt8]?)]

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64,
                key: [UInt8]?, value: [UInt8]?, headers: [(key: String, value: [UInt8]?)]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    public static func == (a: ConsumerRecord, b: ConsumerRecord) -> Bool {
        a.topic == b.topic && a.partition == b.partition && a.offset == b.offset && a.timestamp == b.timestamp
            && a.key == b.key && a.value == b.value && a.headers.count == b.headers.count
            && zip(a.headers, b.headers).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// What happens to a consumer that the application should know about.
public enum ConsumerEvent: Sendable {
    /// Partitions given to this consumer (by the group, or by `assign`).
    case assigned([TopicPartition])
    /// Partitions taken away; their consumed positions were committed first when committing.
    case revoked([TopicPartition])
    case error(KafkaClientError)
}
