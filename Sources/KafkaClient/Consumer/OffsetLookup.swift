import KafkaProtocol

/// ListOffsets and high-watermark probes against one partition leader.
enum OffsetLookup {
    static let latestTimestamp: Int64 = -1
    static let earliestTimestamp: Int64 = -2

    /// ListOffsets for each partition at `timestamps[tp]` (-1 latest, -2 earliest, else ms).
    /// Partitions answering an error come back as `.failure`. A timestamp lookup past every
    /// record answers -1 (Kafka: offset -1; Tansu: offset 0 with timestamp -1, so both are
    /// mapped to -1).
    static func listOffsets(
        _ session: BrokerSession, _ timestamps: [TopicPartition: Int64], timeoutMs: Int
    ) async throws -> [TopicPartition: Result<Int64, KafkaClientError>] {
        var request = ListOffsetsRequest()
        request.replicaId = -1
        request.timeoutMs = Int32(clamping: timeoutMs)
        request.topics = Dictionary(grouping: timestamps.keys, by: \.topic).map { topic, partitions in
            var entry = ListOffsetsRequest.ListOffsetsTopic()
            entry.name = topic
            entry.partitions = partitions.map { tp in
                var partition = ListOffsetsRequest.ListOffsetsPartition()
                partition.partitionIndex = tp.partition
                partition.timestamp = timestamps[tp] ?? latestTimestamp
                return partition
            }
            return entry
        }
        let (response, version) = try await session.send(request, timeoutMs: timeoutMs + 5_000)
        var result: [TopicPartition: Result<Int64, KafkaClientError>] = [:]
        for topic in response.topics {
            for partition in topic.partitions {
                let tp = TopicPartition(topic.name, partition.partitionIndex)
                let code = KafkaErrorCode(rawValue: partition.errorCode)
                if code != .none {
                    result[tp] = .failure(.partition(code, topic: tp.topic, partition: tp.partition, broker: session.connection.peer))
                } else if version == 0 {
                    result[tp] = .success(partition.oldStyleOffsets.first ?? -1)
                } else if (timestamps[tp] ?? -1) >= 0 && partition.timestamp < 0 {
                    result[tp] = .success(-1)
                } else {
                    result[tp] = .success(partition.offset)
                }
            }
        }
        for tp in timestamps.keys where result[tp] == nil {
            result[tp] = .failure(.protocolViolation(broker: session.connection.peer, detail: "no ListOffsets answer for \(tp)"))
        }
        return result
    }

    /// The high watermark of each partition, from a non-waiting Fetch at `offsets[tp]` (an offset
    /// near the end keeps the answer small: brokers may ignore the byte limit).
    static func highWatermarks(
        _ session: BrokerSession, _ offsets: [TopicPartition: Int64], topicIds: [String: KafkaUUID], timeoutMs: Int
    ) async throws -> [TopicPartition: Result<Int64, KafkaClientError>] {
        let version = try session.negotiatedVersion(FetchRequest.self)
        var request = FetchRequest()
        // Not 0: Tansu answers a 0 ms wait with no partitions at all.
        request.maxWaitMs = 1
        request.minBytes = 0
        // Small limits, not tiny ones: some brokers answer nothing at all to a 1-byte limit.
        request.maxBytes = 1 << 20
        request.topics = FetchBuilder.topics(offsets.map { ($0.key, $0.value) }, partitionMaxBytes: 64 << 10,
                                             topicIds: topicIds, version: version)
        let (response, _) = try await session.send(request, timeoutMs: timeoutMs)
        var result: [TopicPartition: Result<Int64, KafkaClientError>] = [:]
        let names = FetchBuilder.names(topicIds)
        for topic in response.responses {
            let name = version >= 13 ? (names[topic.topicId] ?? topic.topic) : topic.topic
            for partition in topic.partitions {
                let tp = TopicPartition(name, partition.partitionIndex)
                let code = KafkaErrorCode(rawValue: partition.errorCode)
                // Out of range still carries the high watermark.
                if code == .none || (code == .offsetOutOfRange && partition.highWatermark >= 0) {
                    result[tp] = .success(partition.highWatermark)
                } else {
                    result[tp] = .failure(.partition(code, topic: name, partition: tp.partition, broker: session.connection.peer))
                }
            }
        }
        return result
    }
}

/// Building Fetch requests: topic names up to v12, topic ids from v13.
enum FetchBuilder {
    static func topics(
        _ partitions: [(TopicPartition, Int64)], partitionMaxBytes: Int32, topicIds: [String: KafkaUUID], version: Int16
    ) -> [FetchRequest.FetchTopic] {
        Dictionary(grouping: partitions, by: \.0.topic).sorted { $0.key < $1.key }.map { topic, entries in
            var fetchTopic = FetchRequest.FetchTopic()
            if version >= 13 { fetchTopic.topicId = topicIds[topic] ?? .zero } else { fetchTopic.topic = topic }
            fetchTopic.partitions = entries.map { tp, offset in
                var partition = FetchRequest.FetchPartition()
                partition.partition = tp.partition
                partition.fetchOffset = offset
                partition.partitionMaxBytes = partitionMaxBytes
                return partition
            }
            return fetchTopic
        }
    }

    static func names(_ topicIds: [String: KafkaUUID]) -> [KafkaUUID: String] {
        Dictionary(topicIds.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
    }
}

extension KafkaCluster {
    /// The high watermark (the offset after the last committed record: the end of the partition
    /// for a consumer, and what lag is measured against) of each partition, from its leader.
    /// Uses a Fetch rather than ListOffsets LATEST alone, which some brokers (Tansu) answer
    /// per batch.
    public func highWatermarks(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        let latest = try await listOffsets(partitions, timestamp: OffsetLookup.latestTimestamp)
        var byLeader: [Int32: [TopicPartition]] = [:]
        var topicIds: [String: KafkaUUID] = [:]
        for tp in partitions {
            let info = try await topicMetadata(tp.topic)
            topicIds[tp.topic] = info.topicId
            guard let leader = info.partitions.first(where: { $0.partition == tp.partition })?.leader, leader >= 0 else {
                throw KafkaClientError.partition(.leaderNotAvailable, topic: tp.topic, partition: tp.partition, broker: nil)
            }
            byLeader[leader, default: []].append(tp)
        }
        var result: [TopicPartition: Int64] = [:]
        for (leader, tps) in byLeader {
            let session = try await session(for: leader)
            let offsets = Dictionary(uniqueKeysWithValues: tps.map { ($0, max(0, (latest[$0] ?? 1) - 1)) })
            let answers = try await OffsetLookup.highWatermarks(
                session, offsets, topicIds: topicIds, timeoutMs: configuration.requestTimeoutMs)
            for (tp, answer) in answers { result[tp] = try answer.get() }
        }
        return result
    }

    /// The earliest available offset (log start) of each partition.
    public func earliestOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await listOffsets(partitions, timestamp: OffsetLookup.earliestTimestamp)
    }

    /// ListOffsets at a timestamp (-1 latest, -2 earliest, else ms since the epoch) per partition.
    public func listOffsets(_ partitions: [TopicPartition], timestamp: Int64) async throws -> [TopicPartition: Int64] {
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in partitions {
            let info = try await topicMetadata(tp.topic)
            guard let leader = info.partitions.first(where: { $0.partition == tp.partition })?.leader, leader >= 0 else {
                throw KafkaClientError.partition(.unknownTopicOrPartition, topic: tp.topic, partition: tp.partition, broker: nil)
            }
            byLeader[leader, default: []].append(tp)
        }
        var result: [TopicPartition: Int64] = [:]
        for (leader, tps) in byLeader {
            let session = try await session(for: leader)
            let answers = try await OffsetLookup.listOffsets(
                session, Dictionary(uniqueKeysWithValues: tps.map { ($0, timestamp) }), timeoutMs: configuration.requestTimeoutMs)
            for (tp, answer) in answers { result[tp] = try answer.get() }
        }
        return result
    }
}
