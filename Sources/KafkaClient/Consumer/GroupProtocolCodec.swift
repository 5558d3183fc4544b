import KafkaProtocol

/// The "consumer" protocol's opaque bytes in JoinGroup / SyncGroup: an int16 version, then the
/// struct at that version (the Java client's `ConsumerProtocol`). A newer version than ours is
/// read as our highest: later versions only append fields.
enum GroupProtocolCodec {
    static let subscriptionVersion: Int16 = 1
    static let assignmentVersion: Int16 = 1

    static func encodeSubscription(topics: [String], owned: [TopicPartition]) throws -> [UInt8] {
        var subscription = ConsumerProtocolSubscription()
        subscription.topics = topics.sorted()
        subscription.ownedPartitions = grouped(owned).map { topic, partitions in
            var entry = ConsumerProtocolSubscription.TopicPartition()
            entry.topic = topic
            entry.partitions = partitions
            return entry
        }
        return versionPrefix(subscriptionVersion) + (try subscription.encoded(version: subscriptionVersion))
    }

    static func decodeSubscription(_ bytes: [UInt8]) throws -> Set<String> {
        let (version, body) = try split(bytes, highest: ConsumerProtocolSubscription.validVersions.highest)
        return Set(try ConsumerProtocolSubscription.decode(body, version: version).message.topics)
    }

    static func encodeAssignment(_ partitions: [TopicPartition]) throws -> [UInt8] {
        var assignment = ConsumerProtocolAssignment()
        assignment.assignedPartitions = grouped(partitions).map { topic, partitions in
            var entry = ConsumerProtocolAssignment.TopicPartition()
            entry.topic = topic
            entry.partitions = partitions
            return entry
        }
        return versionPrefix(assignmentVersion) + (try assignment.encoded(version: assignmentVersion))
    }

    /// An empty buffer is a valid "nothing assigned" (the coordinator sends it to members the
    /// leader left out).
    static func decodeAssignment(_ bytes: [UInt8]) throws -> [TopicPartition] {
        if bytes.isEmpty { return [] }
        let (version, body) = try split(bytes, highest: ConsumerProtocolAssignment.validVersions.highest)
        let assignment = try ConsumerProtocolAssignment.decode(body, version: version).message
        return assignment.assignedPartitions.flatMap { entry in entry.partitions.map { TopicPartition(entry.topic, $0) } }
    }

    private static func grouped(_ partitions: [TopicPartition]) -> [(String, [Int32])] {
        Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.map(\.partition).sorted()) }
    }

    private static func versionPrefix(_ version: Int16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: version >> 8), UInt8(truncatingIfNeeded: version)]
    }

    private static func split(_ bytes: [UInt8], highest: Int16) throws -> (Int16, [UInt8]) {
        guard bytes.count >= 2 else {
            throw KafkaClientError.protocolViolation(broker: "group", detail: "consumer protocol bytes too short (\(bytes.count))")
        }
        let version = Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        guard version >= 0 else {
            throw KafkaClientError.protocolViolation(broker: "group", detail: "consumer protocol version \(version)")
        }
        return (min(version, highest), Array(bytes[2...]))
    }
}
