import KafkaProtocol

/// Committed offsets of a group on its coordinator: OffsetCommit and OffsetFetch.
struct OffsetStore: Sendable {
    let cluster: KafkaCluster
    let groupId: String
    let requestTimeoutMs: Int

    /// Commits `offsets` (the next offset to consume, per partition) as `memberId` of
    /// `generation` (-1 and "" outside group management). Throws the first partition error.
    func commit(_ offsets: [TopicPartition: Int64], generation: Int32, memberId: String) async throws {
        guard !offsets.isEmpty else { return }
        var request = OffsetCommitRequest()
        request.groupId = groupId
        request.generationIdOrMemberEpoch = generation
        request.memberId = memberId
        request.topics = Dictionary(grouping: offsets.keys, by: \.topic).sorted { $0.key < $1.key }.map { topic, tps in
            var entry = OffsetCommitRequest.OffsetCommitRequestTopic()
            entry.name = topic
            entry.partitions = tps.sorted().map { tp in
                var partition = OffsetCommitRequest.OffsetCommitRequestPartition()
                partition.partitionIndex = tp.partition
                partition.committedOffset = offsets[tp] ?? 0
                return partition
            }
            return entry
        }
        let session = try await cluster.coordinatorSession(group: groupId)
        let response: OffsetCommitResponse
        do {
            response = try await session.send(request, timeoutMs: requestTimeoutMs).response
        } catch let error as KafkaClientError {
            if case .transport = error { await cluster.sessionFailed(session); await cluster.coordinatorFailed(group: groupId) }
            throw error
        }
        for topic in response.topics {
            for partition in topic.partitions {
                let code = KafkaErrorCode(rawValue: partition.errorCode)
                guard code != .none else { continue }
                if code == .notCoordinator || code == .coordinatorNotAvailable { await cluster.coordinatorFailed(group: groupId) }
                throw KafkaClientError.partition(code, topic: topic.name, partition: partition.partitionIndex,
                                                 broker: session.connection.peer)
            }
        }
    }

    /// Committed offsets of `partitions`; partitions with none are absent.
    func fetch(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let session = try await cluster.coordinatorSession(group: groupId)
        let version = try session.negotiatedVersion(OffsetFetchRequest.self)
        var request = OffsetFetchRequest()
        let grouped = Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }
        if version >= 8 {
            var group = OffsetFetchRequest.OffsetFetchRequestGroup()
            group.groupId = groupId
            group.topics = grouped.map { topic, tps in
                var entry = OffsetFetchRequest.OffsetFetchRequestTopics()
                entry.name = topic
                entry.partitionIndexes = tps.map(\.partition).sorted()
                return entry
            }
            request.groups = [group]
            request.topics = []
        } else {
            request.groupId = groupId
            request.topics = grouped.map { topic, tps in
                var entry = OffsetFetchRequest.OffsetFetchRequestTopic()
                entry.name = topic
                entry.partitionIndexes = tps.map(\.partition).sorted()
                return entry
            }
        }
        let response: OffsetFetchResponse
        do {
            response = try await session.send(request, timeoutMs: requestTimeoutMs).response
        } catch let error as KafkaClientError {
            if case .transport = error { await cluster.sessionFailed(session); await cluster.coordinatorFailed(group: groupId) }
            throw error
        }
        var entries: [(TopicPartition, Int64, Int16)] = []
        var groupError: Int16 = 0
        if version >= 8 {
            for group in response.groups where group.groupId == groupId {
                groupError = group.errorCode
                for topic in group.topics {
                    for p in topic.partitions { entries.append((TopicPartition(topic.name, p.partitionIndex), p.committedOffset, p.errorCode)) }
                }
            }
        } else {
            groupError = response.errorCode
            for topic in response.topics {
                for p in topic.partitions { entries.append((TopicPartition(topic.name, p.partitionIndex), p.committedOffset, p.errorCode)) }
            }
        }
        let code = KafkaErrorCode(rawValue: groupError)
        if code != .none {
            if code == .notCoordinator || code == .coordinatorNotAvailable { await cluster.coordinatorFailed(group: groupId) }
            throw KafkaClientError.broker(code, broker: session.connection.peer, context: "OffsetFetch(\(groupId))")
        }
        var result: [TopicPartition: Int64] = [:]
        for (tp, offset, errorCode) in entries {
            let code = KafkaErrorCode(rawValue: errorCode)
            if code == .unknownTopicOrPartition { continue }
            guard code == .none else {
                throw KafkaClientError.partition(code, topic: tp.topic, partition: tp.partition, broker: session.connection.peer)
            }
            if offset >= 0 { result[tp] = offset }
        }
        return result
    }
}
