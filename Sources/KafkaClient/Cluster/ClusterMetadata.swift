import KafkaProtocol

/// What the cluster looks like, as of the last Metadata response.
public struct ClusterMetadata: Sendable {
    public struct BrokerInfo: Sendable, Hashable {
        public var nodeId: Int32
        public var host: String
        public var port: Int
        public var rack: String?
    }

    public struct PartitionInfo: Sendable, Hashable {
        public var partition: Int32
        public var leader: Int32
        public var leaderEpoch: Int32
        public var replicas: [Int32]
        public var isr: [Int32]
        public var error: KafkaErrorCode
    }

    public struct TopicInfo: Sendable {
        public var name: String
        public var topicId: KafkaUUID
        public var isInternal: Bool
        public var error: KafkaErrorCode
        /// Sorted by partition index.
        public var partitions: [PartitionInfo]
    }

    public var clusterId: String?
    public var controllerId: Int32
    public var brokers: [Int32: BrokerInfo]
    public var topics: [String: TopicInfo]

    public init() {
        clusterId = nil
        controllerId = -1
        brokers = [:]
        topics = [:]
    }

    init(_ response: MetadataResponse) {
        self.init()
        clusterId = response.clusterId
        controllerId = response.controllerId
        for broker in response.brokers {
            brokers[broker.nodeId] = BrokerInfo(nodeId: broker.nodeId, host: broker.host, port: Int(broker.port), rack: broker.rack)
        }
        for topic in response.topics {
            guard let name = topic.name else { continue }
            let partitions = topic.partitions.map {
                PartitionInfo(partition: $0.partitionIndex, leader: $0.leaderId, leaderEpoch: $0.leaderEpoch,
                              replicas: $0.replicaNodes, isr: $0.isrNodes, error: KafkaErrorCode(rawValue: $0.errorCode))
            }.sorted { $0.partition < $1.partition }
            topics[name] = TopicInfo(name: name, topicId: topic.topicId, isInternal: topic.isInternal,
                                     error: KafkaErrorCode(rawValue: topic.errorCode), partitions: partitions)
        }
    }

    /// Merges a response about some topics into what is known about the others.
    mutating func merge(_ other: ClusterMetadata, replacingAllTopics: Bool) {
        clusterId = other.clusterId ?? clusterId
        controllerId = other.controllerId
        if !other.brokers.isEmpty { brokers = other.brokers }
        if replacingAllTopics { topics = [:] }
        for (name, topic) in other.topics { topics[name] = topic }
    }

    public func leader(topic: String, partition: Int32) -> Int32? {
        guard let info = topics[topic], Int(partition) < info.partitions.count,
              info.partitions[Int(partition)].partition == partition else {
            return topics[topic]?.partitions.first { $0.partition == partition }?.leader
        }
        let leader = info.partitions[Int(partition)].leader
        return leader >= 0 ? leader : nil
    }
}
