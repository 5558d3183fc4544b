import KafkaProtocol

extension KafkaAdminClient {
    public enum OffsetSpec: Sendable, Equatable {
        case earliest
        case latest
        /// The first offset whose timestamp is at or after this many ms since the epoch.
        case timestamp(Int64)

        var wireValue: Int64 {
            switch self {
            case .earliest: return -2
            case .latest: return -1
            case let .timestamp(ms): return ms
            }
        }
    }

    /// ListOffsets for each partition, sent to each partition's leader.
    public func listOffsets(_ partitions: [TopicPartition], spec: OffsetSpec) async throws -> [TopicPartition: Int64] {
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in partitions {
            let info = try await cluster.topicMetadata(tp.topic)
            guard let entry = info.partitions.first(where: { $0.partition == tp.partition }), entry.leader >= 0 else {
                throw KafkaClientError.partition(.leaderNotAvailable, topic: tp.topic, partition: tp.partition, broker: nil)
            }
            byLeader[entry.leader, default: []].append(tp)
        }
        var offsets: [TopicPartition: Int64] = [:]
        for (leader, owned) in byLeader {
            let session = try await cluster.session(for: leader)
            var request = ListOffsetsRequest()
            request.replicaId = -1
            let grouped = Dictionary(grouping: owned, by: \.topic)
            request.topics = grouped.keys.sorted().map { topic in
                var entry = ListOffsetsRequest.ListOffsetsTopic()
                entry.name = topic
                entry.partitions = (grouped[topic] ?? []).map { tp in
                    var partition = ListOffsetsRequest.ListOffsetsPartition()
                    partition.partitionIndex = tp.partition
                    partition.currentLeaderEpoch = -1
                    partition.timestamp = spec.wireValue
                    partition.maxNumOffsets = 1
                    return partition
                }
                return entry
            }
            let (response, version) = try await session.send(request)
            for topic in response.topics {
                for partition in topic.partitions {
                    let code = KafkaErrorCode(rawValue: partition.errorCode)
                    guard code == .none else {
                        if code == .notLeaderOrFollower { await cluster.invalidate(topic: topic.name) }
                        throw KafkaClientError.partition(code, topic: topic.name, partition: partition.partitionIndex,
                                                         broker: session.connection.peer)
                    }
                    let offset = version == 0 ? (partition.oldStyleOffsets.first ?? -1) : partition.offset
                    offsets[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = offset
                }
            }
        }
        return offsets
    }

    /// The log end offset (high watermark) of each partition: the cluster's Fetch-based lookup,
    /// exact even where ListOffsets LATEST answers per batch (Tansu).
    public func logEndOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await cluster.highWatermarks(partitions)
    }

    public struct PartitionLag: Sendable, Equatable {
        public var partition: TopicPartition
        /// -1 when the group has committed nothing for this partition.
        public var committedOffset: Int64
        public var logEndOffset: Int64
        /// Log end minus committed (the whole log when nothing is committed).
        public var lag: Int64
        public var memberId: String?
        public var clientId: String?
        public var clientHost: String?
    }

    /// Consumer-group lag per partition: committed offset against the log end, with the member
    /// that owns each partition (rpk's `group describe` columns).
    public func groupLag(_ groupId: String) async throws -> [PartitionLag] {
        let description = try await describeGroup(groupId)
        let committed = try await committedOffsets(group: groupId)
        var partitions = Set(committed.keys)
        var owner: [TopicPartition: GroupMember] = [:]
        for member in description.members {
            for tp in member.assignment {
                partitions.insert(tp)
                owner[tp] = member
            }
        }
        let sorted = partitions.sorted()
        let ends = try await logEndOffsets(sorted)
        return sorted.map { tp in
            let end = ends[tp] ?? 0
            let done = committed[tp] ?? -1
            let member = owner[tp]
            return PartitionLag(partition: tp, committedOffset: done, logEndOffset: end,
                                lag: done >= 0 ? max(0, end - done) : end,
                                memberId: member?.memberId, clientId: member?.clientId, clientHost: member?.clientHost)
        }
    }
}
