/// Settings for a `KafkaConsumer`: the shared client settings plus group, fetch and offset policy.
public struct ConsumerConfiguration: Sendable {
    public enum OffsetReset: Sendable, Equatable {
        case earliest
        case latest
    }

    public enum AssignmentStrategy: String, Sendable, Equatable {
        case range
        case roundRobin = "roundrobin"
    }

    public var client: ClientConfiguration
    /// Needed for `subscribe` and for committing; manual assignment works without one.
    public var groupId: String?
    public var sessionTimeoutMs = 45_000
    /// How long the coordinator waits for members to rejoin during a rebalance.
    public var rebalanceTimeoutMs = 60_000
    public var heartbeatIntervalMs = 3_000
    /// Where to start when a partition has no committed offset, or its offset is out of range.
    public var autoOffsetReset: OffsetReset = .latest
    public var enableAutoCommit = true
    public var autoCommitIntervalMs = 5_000
    public var fetchMinBytes = 1
    public var fetchMaxWaitMs = 500
    public var fetchMaxBytes = 50 * 1024 * 1024
    public var maxPartitionFetchBytes = 1024 * 1024
    /// Fetching pauses while this many record bytes wait undelivered (brokers may answer more
    /// than asked for, so this is what bounds memory).
    public var maxBufferedBytes = 64 * 1024 * 1024
    /// In order of preference; the group picks one every member supports.
    public var assignmentStrategies: [AssignmentStrategy] = [.range, .roundRobin]
    /// Pause after a retriable fetch or group error.
    public var retryBackoffMs = 100

    public init(client: ClientConfiguration, groupId: String? = nil) {
        self.client = client
        self.groupId = groupId
    }
}
