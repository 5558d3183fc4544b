import KafkaProtocol
import Synchronization

/// The fetch side of a consumer: partitions grouped by leader, one long-polling loop per leader
/// broker (one Fetch covers all of that broker's assigned partitions), regrouped when the
/// assignment changes or a leader moves. Fetching pauses while the buffer is over its bound.
final class Fetcher: Sendable {
    let cluster: KafkaCluster
    let configuration: ConsumerConfiguration
    let state: ConsumerState
    let events: AsyncStream<ConsumerEvent>.Continuation
    /// Undecodable fetches in a row per partition. Damage in transit goes away when fetched
    /// again; damage in the log does not, and after `maxCorruptFetches` the partition halts.
    private let corruptFetches = Mutex<[TopicPartition: Int]>([:])
    static let maxCorruptFetches = 3

    init(cluster: KafkaCluster, configuration: ConsumerConfiguration, state: ConsumerState,
         events: AsyncStream<ConsumerEvent>.Continuation) {
        self.cluster = cluster
        self.configuration = configuration
        self.state = state
        self.events = events
    }

    private enum Exit {
        case assignmentChanged
        case retry
    }

    /// Runs until cancelled.
    func run() async {
        var failures = 0
        while !Task.isCancelled {
            let version = state.assignmentVersion
            let assigned = state.assignment
            if assigned.isEmpty {
                await sleep(ms: 20)
                continue
            }
            var byLeader: [Int32: [TopicPartition]] = [:]
            var topicIds: [String: KafkaUUID] = [:]
            var mapped = true
            for topic in Set(assigned.map(\.topic)) {
                do {
                    let info = try await cluster.topicMetadata(topic)
                    topicIds[topic] = info.topicId
                    for tp in assigned where tp.topic == topic {
                        guard let entry = info.partitions.first(where: { $0.partition == tp.partition }) else {
                            report(.partition(.unknownTopicOrPartition, topic: topic, partition: tp.partition, broker: nil))
                            mapped = false
                            continue
                        }
                        if entry.leader >= 0 { byLeader[entry.leader, default: []].append(tp) } else { mapped = false }
                    }
                } catch let error as KafkaClientError {
                    report(error)
                    mapped = false
                } catch {
                    return
                }
            }
            if !mapped { await cluster.invalidateAll(Set(assigned.map(\.topic))) }
            let ids = topicIds, layout = byLeader
            let exits = await withTaskGroup(of: Exit.self) { group -> [Exit] in
                for (leader, partitions) in layout {
                    group.addTask { await self.brokerLoop(leader: leader, partitions: partitions, topicIds: ids, version: version) }
                }
                // Any loop ending means the layout changed: stop the others and regroup.
                var exits: [Exit] = []
                if let first = await group.next() { exits.append(first) }
                group.cancelAll()
                for await exit in group { exits.append(exit) }
                return exits
            }
            if !mapped || exits.contains(where: { if case .retry = $0 { true } else { false } }) || byLeader.isEmpty {
                failures += 1
                await sleep(ms: min(configuration.retryBackoffMs << min(failures - 1, 4), 2_000))
            } else {
                failures = 0
            }
        }
    }

    private func report(_ error: KafkaClientError) {
        events.yield(.error(error))
    }

    private func sleep(ms: Int) async {
        try? await Task.sleep(nanoseconds: UInt64(ms) * 1_000_000)
    }

    private func brokerLoop(leader: Int32, partitions: [TopicPartition], topicIds: [String: KafkaUUID], version: UInt64) async -> Exit {
        let session: BrokerSession
        do {
            session = try await cluster.session(for: leader)
        } catch {
            if let error = error as? KafkaClientError { report(error) }
            return .retry
        }
        while !Task.isCancelled {
            guard state.assignmentVersion == version else { return .assignmentChanged }
            if state.bufferedBytes >= configuration.maxBufferedBytes {
                await sleep(ms: 2)
                continue
            }
            let snapshot = state.snapshot(partitions)
            do {
                let pending = snapshot.filter { $0.1.fetchOffset == nil && $0.1.pending != nil }
                if !pending.isEmpty {
                    try await resolve(pending, session: session, topicIds: topicIds)
                    continue
                }
                let fetchable = snapshot.compactMap { tp, p in p.fetchOffset.map { (tp, p.epoch, $0) } }
                if fetchable.isEmpty {
                    await sleep(ms: 20)
                    continue
                }
                if let exit = try await fetch(fetchable, session: session, topicIds: topicIds) { return exit }
            } catch let error as KafkaClientError {
                if case .transport = error { await cluster.sessionFailed(session) }
                report(error)
                return .retry
            } catch {
                return .retry
            }
        }
        return .assignmentChanged
    }

    /// Looks up start offsets. LATEST is taken as the larger of ListOffsets and the Fetch high
    /// watermark: Tansu answers ListOffsets LATEST with the last batch's base offset + 1.
    private func resolve(_ pending: [(TopicPartition, ConsumerState.Partition)], session: BrokerSession,
                         topicIds: [String: KafkaUUID]) async throws {
        var timestamps: [TopicPartition: Int64] = [:]
        var epochs: [TopicPartition: UInt64] = [:]
        for (tp, p) in pending {
            epochs[tp] = p.epoch
            switch p.pending {
            case .earliest?: timestamps[tp] = OffsetLookup.earliestTimestamp
            case let .timestamp(ms)?: timestamps[tp] = max(0, ms)
            case let .offset(n)? where n < 0:
                timestamps[tp] = configuration.autoOffsetReset == .earliest ? OffsetLookup.earliestTimestamp : OffsetLookup.latestTimestamp
            default: timestamps[tp] = OffsetLookup.latestTimestamp
            }
        }
        let timeout = configuration.client.requestTimeoutMs
        let answers = try await OffsetLookup.listOffsets(session, timestamps, timeoutMs: timeout)
        var probe: [TopicPartition: Int64] = [:]
        for (tp, answer) in answers {
            guard let epoch = epochs[tp] else { continue }
            switch answer {
            case let .success(offset):
                // A timestamp past the last record answers -1: start at the end.
                if timestamps[tp] == OffsetLookup.latestTimestamp || offset < 0 {
                    probe[tp] = max(0, offset - 1)
                } else {
                    state.resolved(tp, epoch: epoch, offset: offset)
                }
            case let .failure(error):
                throw error
            }
        }
        guard !probe.isEmpty else { return }
        let marks = try await OffsetLookup.highWatermarks(session, probe, topicIds: topicIds, timeoutMs: timeout)
        for (tp, at) in probe {
            guard let epoch = epochs[tp] else { continue }
            let end = try marks[tp]?.get() ?? at
            state.resolved(tp, epoch: epoch, offset: max(end, answers[tp].flatMap { try? $0.get() } ?? 0))
        }
    }

    /// One Fetch for all of this broker's partitions; nil to keep going.
    private func fetch(_ partitions: [(TopicPartition, UInt64, Int64)], session: BrokerSession,
                       topicIds: [String: KafkaUUID]) async throws -> Exit? {
        let version = try session.negotiatedVersion(FetchRequest.self)
        var request = FetchRequest()
        request.maxWaitMs = Int32(clamping: configuration.fetchMaxWaitMs)
        request.minBytes = Int32(clamping: configuration.fetchMinBytes)
        request.maxBytes = Int32(clamping: configuration.fetchMaxBytes)
        request.topics = FetchBuilder.topics(partitions.map { ($0.0, $0.2) },
                                             partitionMaxBytes: Int32(clamping: configuration.maxPartitionFetchBytes),
                                             topicIds: topicIds, version: version)
        let timeout = configuration.client.requestTimeoutMs + configuration.fetchMaxWaitMs
        let (response, _) = try await session.send(request, timeoutMs: timeout)
        let topLevel = KafkaErrorCode(rawValue: response.errorCode)
        guard topLevel == .none else {
            throw KafkaClientError.broker(topLevel, broker: session.connection.peer, context: "Fetch")
        }
        let names = FetchBuilder.names(topicIds)
        let requested = Dictionary(partitions.map { ($0.0, ($0.1, $0.2)) }, uniquingKeysWith: { a, _ in a })
        var exit: Exit?
        for topic in response.responses {
            let name = version >= 13 ? (names[topic.topicId] ?? topic.topic) : topic.topic
            for data in topic.partitions {
                let tp = TopicPartition(name, data.partitionIndex)
                guard let (epoch, offset) = requested[tp] else { continue }
                let code = KafkaErrorCode(rawValue: data.errorCode)
                switch code {
                case .none:
                    let bytes = data.records ?? []
                    // Past the end without an error (Tansu answers so where Kafka says
                    // OFFSET_OUT_OF_RANGE): reset by policy rather than wait forever.
                    if bytes.isEmpty && data.highWatermark >= 0 && offset > data.highWatermark {
                        state.reset(tp, epoch: epoch, to: configuration.autoOffsetReset == .earliest ? .earliest : .latest)
                        continue
                    }
                    do {
                        let output = try RecordConversion.convert(bytes, topic: name, partition: tp.partition, from: offset)
                        corruptFetches.withLock { _ = $0.removeValue(forKey: tp) }
                        state.append(tp, epoch: epoch, fetchedAt: offset, records: output.records,
                                     nextOffset: output.nextOffset, bytes: bytes.count, highWatermark: data.highWatermark)
                    } catch {
                        // Nothing of this answer is delivered; the position stays where it was.
                        let failure = KafkaClientError.protocolViolation(
                            broker: session.connection.peer, detail: "\(tp) at offset \(offset): undecodable records: \(error)")
                        report(failure)
                        let count = corruptFetches.withLock { c -> Int in
                            c[tp, default: 0] += 1
                            return c[tp]!
                        }
                        if count >= Self.maxCorruptFetches {
                            state.halt(tp, epoch: epoch)
                            state.fail(failure)
                        } else {
                            // Fetch it again after a backoff.
                            exit = .retry
                        }
                    }
                case .offsetOutOfRange:
                    state.reset(tp, epoch: epoch, to: configuration.autoOffsetReset == .earliest ? .earliest : .latest)
                case .notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition, .fencedLeaderEpoch,
                     .unknownLeaderEpoch, .unknownTopicId, .inconsistentTopicId, .offsetNotAvailable:
                    await cluster.invalidate(topic: name)
                    exit = .retry
                default:
                    report(.partition(code, topic: name, partition: tp.partition, broker: session.connection.peer))
                    if !code.isRetriable { state.halt(tp, epoch: epoch) }
                    exit = .retry
                }
            }
        }
        return exit
    }
}

extension KafkaCluster {
    func invalidateAll(_ topics: Set<String>) {
        for topic in topics { invalidate(topic: topic) }
    }
}
