/// A Kafka consumer: partitions by manual assignment (`assign`) or from a consumer group
/// (`subscribe`), records as an async sequence (`records`), assignment changes and errors as
/// events (`events`). Background work (fetching, heartbeats, auto-commit) starts with `assign`
/// or `subscribe` and stops with `close()`.
public actor KafkaConsumer {
    public nonisolated let configuration: ConsumerConfiguration
    public nonisolated let cluster: KafkaCluster
    /// Assignment changes and errors. One reader; buffers the newest 1,000 events.
    public nonisolated let events: AsyncStream<ConsumerEvent>
    /// Fetched records; see `ConsumerRecords`.
    public nonisolated var records: ConsumerRecords { ConsumerRecords(state: state) }

    private nonisolated let state = ConsumerState()
    private let eventSink: AsyncStream<ConsumerEvent>.Continuation
    private let ownsCluster: Bool
    private var fetchTask: Task<Void, Never>?
    private var groupTask: Task<Void, Never>?
    private var autoCommitTask: Task<Void, Never>?
    var group: GroupMember?
    private var manuallyCommitted: [TopicPartition: Int64] = [:]
    private var closed = false

    public init(configuration: ConsumerConfiguration) {
        self.init(configuration: configuration, cluster: KafkaCluster(configuration: configuration.client), ownsCluster: true)
    }

    /// Shares `cluster` (connections and metadata) with other clients; `close()` leaves it open.
    public init(configuration: ConsumerConfiguration, cluster: KafkaCluster) {
        self.init(configuration: configuration, cluster: cluster, ownsCluster: false)
    }

    private init(configuration: ConsumerConfiguration, cluster: KafkaCluster, ownsCluster: Bool) {
        self.configuration = configuration
        self.cluster = cluster
        self.ownsCluster = ownsCluster
        (events, eventSink) = AsyncStream.makeStream(of: ConsumerEvent.self, bufferingPolicy: .bufferingNewest(1_000))
    }

    // MARK: assignment

    /// Consumes exactly these partitions from the given positions, replacing any earlier manual
    /// assignment. Throws `.unknownTopic` / `.partition(UNKNOWN_TOPIC_OR_PARTITION…)` at once
    /// for partitions that do not exist.
    public func assign(_ partitions: [TopicPartition: StartPosition]) async throws {
        try checkOpen()
        guard group == nil else {
            throw KafkaClientError.invalidConfiguration("assign after subscribe: a consumer uses one or the other")
        }
        for topic in Set(partitions.keys.map(\.topic)) {
            let info = try await cluster.topicMetadata(topic)
            for tp in partitions.keys where tp.topic == topic && !info.partitions.contains(where: { $0.partition == tp.partition }) {
                throw KafkaClientError.partition(.unknownTopicOrPartition, topic: topic, partition: tp.partition, broker: nil)
            }
        }
        let dropped = state.assignment.filter { partitions[$0] == nil }
        if !dropped.isEmpty {
            let positions = state.revoke(dropped)
            if configuration.enableAutoCommit, configuration.groupId != nil { try? await commitManual(positions) }
            eventSink.yield(.revoked(dropped))
        }
        state.assign(partitions)
        eventSink.yield(.assigned(partitions.keys.sorted()))
        startFetching()
        if configuration.groupId != nil { startAutoCommit() }
    }

    /// Joins the configured group and consumes what it assigns. Needs `groupId`.
    public func subscribe(topics: [String]) async throws {
        try checkOpen()
        guard let groupId = configuration.groupId else {
            throw KafkaClientError.invalidConfiguration("subscribe needs a groupId")
        }
        guard group == nil, state.assignment.isEmpty else {
            throw KafkaClientError.invalidConfiguration("already subscribed or assigned")
        }
        guard !topics.isEmpty else { throw KafkaClientError.invalidConfiguration("subscribe to no topics") }
        let member = GroupMember(groupId: groupId, topics: topics, cluster: cluster, configuration: configuration,
                                 state: state, events: eventSink)
        group = member
        groupTask = Task { await member.run() }
        startFetching()
        startAutoCommit()
    }

    public nonisolated var assignment: [TopicPartition] { state.assignment }

    /// The next offset to deliver for `partition` (last delivered + 1), once its start is known.
    public nonisolated func position(_ partition: TopicPartition) -> Int64? { state.position(partition) }

    /// The high watermark seen in the latest fetch of `partition` (lag = this − position).
    public nonisolated func lastSeenHighWatermark(_ partition: TopicPartition) -> Int64? { state.highWatermark(partition) }

    // MARK: offsets

    /// Commits the positions of all assigned partitions (what was delivered). Needs `groupId`.
    public func commit() async throws {
        try checkOpen()
        if let group {
            try await group.commitPositions()
        } else {
            try await commitManual(state.positions)
        }
    }

    func commitManual(_ positions: [TopicPartition: Int64]) async throws {
        guard let groupId = configuration.groupId else {
            throw KafkaClientError.invalidConfiguration("commit needs a groupId")
        }
        let changed = positions.filter { manuallyCommitted[$0.key] != $0.value }
        let store = OffsetStore(cluster: cluster, groupId: groupId, requestTimeoutMs: configuration.client.requestTimeoutMs)
        try await store.commit(changed, generation: -1, memberId: "")
        for (tp, offset) in changed { manuallyCommitted[tp] = offset }
    }

    /// Offsets committed by the configured group for `partitions` (absent: none committed).
    public func committed(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        guard let groupId = configuration.groupId else {
            throw KafkaClientError.invalidConfiguration("committed offsets need a groupId")
        }
        return try await OffsetStore(cluster: cluster, groupId: groupId, requestTimeoutMs: configuration.client.requestTimeoutMs)
            .fetch(partitions)
    }

    // MARK: background work

    private func startFetching() {
        guard fetchTask == nil else { return }
        let fetcher = Fetcher(cluster: cluster, configuration: configuration, state: state, events: eventSink)
        fetchTask = Task { await fetcher.run() }
    }

    private func startAutoCommit() {
        guard configuration.enableAutoCommit, autoCommitTask == nil else { return }
        let interval = UInt64(max(10, configuration.autoCommitIntervalMs)) * 1_000_000
        autoCommitTask = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(nanoseconds: interval) } catch { return }
                guard let self else { return }
                await self.autoCommit()
            }
        }
    }

    private func autoCommit() async {
        guard !closed else { return }
        do {
            try await commit()
        } catch let error as KafkaClientError {
            // A commit refused because the group is rebalancing is retried by the revocation.
            if let code = error.errorCode, GroupMember.rejoinCodes.contains(code.rawValue) { return }
            eventSink.yield(.error(error))
        } catch {}
    }

    // MARK: lifecycle

    func checkOpen() throws {
        if closed { throw KafkaClientError.closed }
    }

    /// Stops fetching, commits (with auto-commit), leaves the group, ends `records` and
    /// `events`, and closes the connections (when the cluster is ours).
    public func close() async {
        guard !closed else { return }
        closed = true
        autoCommitTask?.cancel()
        fetchTask?.cancel()
        groupTask?.cancel()
        await autoCommitTask?.value
        await fetchTask?.value
        await groupTask?.value
        if let group {
            await group.leave()
        } else if configuration.enableAutoCommit, configuration.groupId != nil {
            do { try await commitManual(state.positions) } catch let error as KafkaClientError {
                eventSink.yield(.error(error))
            } catch {}
        }
        state.finish()
        eventSink.finish()
        if ownsCluster { await cluster.close() }
    }
}
