import KafkaProtocol

/// One member of a classic consumer group: FindCoordinator → JoinGroup → (leader assigns) →
/// SyncGroup → OffsetFetch → heartbeats until a rebalance, then commit, revoke and rejoin.
/// Eager protocol: every rebalance revokes everything first.
actor GroupMember {
    let groupId: String
    let topics: [String]
    let cluster: KafkaCluster
    let configuration: ConsumerConfiguration
    let state: ConsumerState
    let events: AsyncStream<ConsumerEvent>.Continuation
    let store: OffsetStore

    private(set) var memberId = ""
    private(set) var generation: Int32 = -1
    private var assigned: [TopicPartition] = []
    private var committed: [TopicPartition: Int64] = [:]

    init(groupId: String, topics: [String], cluster: KafkaCluster, configuration: ConsumerConfiguration,
         state: ConsumerState, events: AsyncStream<ConsumerEvent>.Continuation) {
        self.groupId = groupId
        self.topics = topics
        self.cluster = cluster
        self.configuration = configuration
        self.state = state
        self.events = events
        self.store = OffsetStore(cluster: cluster, groupId: groupId, requestTimeoutMs: configuration.client.requestTimeoutMs)
    }

    private struct Rejoin: Error {}

    static let rejoinCodes: Set<Int16> = [
        KafkaErrorCode.rebalanceInProgress.rawValue, KafkaErrorCode.unknownMemberId.rawValue,
        KafkaErrorCode.illegalGeneration.rawValue, KafkaErrorCode.memberIdRequired.rawValue,
        KafkaErrorCode.notCoordinator.rawValue, KafkaErrorCode.coordinatorNotAvailable.rawValue,
        KafkaErrorCode.coordinatorLoadInProgress.rawValue,
    ]

    /// The membership loop; runs until cancelled.
    func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await join()
                failures = 0
                try await heartbeatUntilRebalance()
            } catch is CancellationError {
                break
            } catch is Rejoin {
                // Straight back in: the coordinator is waiting for us.
                trace("rejoining: the group is rebalancing")
            } catch let error as KafkaClientError {
                if case .closed = error { break }
                failures += 1
                await handle(error)
                let backoffMs = min(configuration.retryBackoffMs << min(failures, 5), 2_000)
                trace("membership step failed (\(failures) in a row), retrying in \(backoffMs) ms: \(error)")
                try? await Task.sleep(nanoseconds: UInt64(backoffMs) * 1_000_000)
            } catch {
                failures += 1
                try? await Task.sleep(nanoseconds: UInt64(configuration.retryBackoffMs) * 1_000_000)
            }
            if !Task.isCancelled { await revokeAll() }
        }
    }

    private func handle(_ error: KafkaClientError) async {
        switch error.errorCode {
        case .notCoordinator?, .coordinatorNotAvailable?, .coordinatorLoadInProgress?:
            await cluster.coordinatorFailed(group: groupId)
        case .unknownMemberId?:
            memberId = ""
            generation = -1
        case .illegalGeneration?:
            generation = -1
        default:
            break
        }
        if case .transport = error { await cluster.coordinatorFailed(group: groupId) }
        if case .protocolViolation = error {
            // An answer we could not read hides its error code (librdkafka's mock writes null
            // strings into error answers), so whether we are still a member is unknown: join
            // afresh rather than repeat a request that may keep failing the same way.
            memberId = ""
            generation = -1
            await cluster.coordinatorFailed(group: groupId)
        }
        // Rebalance and coordinator-move codes are the protocol working: rejoin quietly.
        if let code = error.errorCode, Self.rejoinCodes.contains(code.rawValue) { return }
        if !error.isRetriable || error.errorCode == nil { events.yield(.error(error)) }
    }

    // MARK: joining

    private func join() async throws {
        let session = try await cluster.coordinatorSession(group: groupId)
        let peer = session.connection.peer
        var request = JoinGroupRequest()
        request.groupId = groupId
        request.sessionTimeoutMs = Int32(clamping: configuration.sessionTimeoutMs)
        request.rebalanceTimeoutMs = Int32(clamping: configuration.rebalanceTimeoutMs)
        request.protocolType = "consumer"
        let metadata = try GroupProtocolCodec.encodeSubscription(topics: topics, owned: [])
        request.protocols = configuration.assignmentStrategies.map { strategy in
            var entry = JoinGroupRequest.JoinGroupRequestProtocol()
            entry.name = strategy.rawValue
            entry.metadata = metadata
            return entry
        }
        var response: JoinGroupResponse
        // Coordinators hold JoinGroup until the group settles, up to the rebalance timeout.
        let timeout = configuration.rebalanceTimeoutMs + 5_000
        var attempts = 0
        while true {
            attempts += 1
            request.memberId = memberId
            trace("JoinGroup to \(peer)")
            response = try await send(request, session: session, timeoutMs: timeout)
            let code = KafkaErrorCode(rawValue: response.errorCode)
            // Once with the id the coordinator gave us; a coordinator that keeps asking is broken.
            if code == .memberIdRequired && attempts < 3 {
                memberId = response.memberId
                continue
            }
            guard code == .none else { throw KafkaClientError.broker(code, broker: peer, context: "JoinGroup(\(groupId))") }
            break
        }
        memberId = response.memberId
        generation = response.generationId
        trace("joined: leader \(response.leader), \(response.members.count) member(s) to assign")
        let strategyName = response.protocolName ?? configuration.assignmentStrategies.first?.rawValue ?? "range"

        var sync = SyncGroupRequest()
        sync.groupId = groupId
        sync.generationId = generation
        sync.memberId = memberId
        sync.protocolType = "consumer"
        sync.protocolName = strategyName
        if response.leader == response.memberId {
            sync.assignments = try await assignments(for: response.members, strategyName: strategyName)
        }
        trace("SyncGroup to \(peer) with \(sync.assignments.count) assignment(s)")
        let synced = try await send(sync, session: session, timeoutMs: timeout)
        let code = KafkaErrorCode(rawValue: synced.errorCode)
        trace("SyncGroup answered \(code)")
        guard code == .none else { throw KafkaClientError.broker(code, broker: peer, context: "SyncGroup(\(groupId))") }
        let mine: [TopicPartition]
        do {
            mine = try GroupProtocolCodec.decodeAssignment(synced.assignment).filter { topics.contains($0.topic) }
        } catch {
            throw KafkaClientError.protocolViolation(broker: peer, detail: "SyncGroup assignment: \(error)")
        }
        let committedOffsets = try await store.fetch(mine)
        var starts: [TopicPartition: StartPosition] = [:]
        for tp in mine {
            if let offset = committedOffsets[tp] {
                starts[tp] = .offset(offset)
            } else {
                starts[tp] = configuration.autoOffsetReset == .earliest ? .earliest : .latest
            }
        }
        committed = committedOffsets
        assigned = mine.sorted()
        trace("assigned \(assigned.count) partition(s)")
        state.assign(starts)
        events.yield(.assigned(assigned))
    }

    /// The leader's job: run the chosen assignor over every member's subscription.
    private func assignments(for members: [JoinGroupResponse.JoinGroupResponseMember], strategyName: String) async throws
        -> [SyncGroupRequest.SyncGroupRequestAssignment] {
        var subscriptions: PartitionAssignor.Subscriptions = [:]
        for member in members {
            do {
                subscriptions[member.memberId] = try GroupProtocolCodec.decodeSubscription(member.metadata)
            } catch {
                // A member we cannot read gets nothing rather than breaking the group.
                subscriptions[member.memberId] = []
            }
        }
        var counts: [String: Int32] = [:]
        let subscribed = Set(subscriptions.values.flatMap { $0 })
        // Assign from fresh metadata, as the Java client and librdkafka do: partitions added
        // since the last refresh get a consumer now, not at the next rebalance. The round trip
        // also lets the followers' SyncGroups reach the coordinator first, which matters to a
        // coordinator that completes the sync on the leader's assignments and then refuses late
        // followers (librdkafka's mock cluster answers them INVALID_REQUEST).
        _ = try? await cluster.refreshMetadata(topics: subscribed.sorted())
        for topic in subscribed {
            do {
                let info = try await cluster.topicMetadata(topic)
                counts[topic] = Int32(info.partitions.count)
            } catch let error as KafkaClientError {
                events.yield(.error(error))
            }
        }
        let strategy = ConsumerConfiguration.AssignmentStrategy(rawValue: strategyName) ?? .range
        let layout = PartitionAssignor.assign(strategy, subscriptions, partitionCounts: counts)
        return try layout.sorted { $0.key < $1.key }.map { member, partitions in
            var entry = SyncGroupRequest.SyncGroupRequestAssignment()
            entry.memberId = member
            entry.assignment = try GroupProtocolCodec.encodeAssignment(partitions)
            return entry
        }
    }

    // MARK: steady state

    private func heartbeatUntilRebalance() async throws {
        // A coordinator that moves or goes down does not end the membership: the group lives on
        // the new coordinator. Keep heartbeating there (as the Java client does) until the
        // session would have expired; only then rejoin.
        var lastAnswered = IOLoop.monotonicNanos()
        let sessionNanos = UInt64(configuration.sessionTimeoutMs) * 1_000_000
        while true {
            try await Task.sleep(nanoseconds: UInt64(configuration.heartbeatIntervalMs) * 1_000_000)
            var request = HeartbeatRequest()
            request.groupId = groupId
            request.generationId = generation
            request.memberId = memberId
            let code: KafkaErrorCode
            let peer: String
            do {
                let session = try await cluster.coordinatorSession(group: groupId)
                peer = session.connection.peer
                code = KafkaErrorCode(rawValue: try await send(request, session: session, timeoutMs: configuration.client.requestTimeoutMs).errorCode)
            } catch let error as KafkaClientError where Self.isCoordinatorLoss(error) {
                trace("heartbeat failed, coordinator lost: \(error)")
                await cluster.coordinatorFailed(group: groupId)
                if IOLoop.monotonicNanos() &- lastAnswered > sessionNanos { throw error }
                continue
            }
            if code == .none {
                lastAnswered = IOLoop.monotonicNanos()
                continue
            }
            trace("heartbeat answered \(code) by \(peer)")
            if code == .rebalanceInProgress {
                // Commit while the generation is still valid, then rejoin.
                await revokeAll()
                throw Rejoin()
            }
            let error = KafkaClientError.broker(code, broker: peer, context: "Heartbeat(\(groupId))")
            if Self.isCoordinatorLoss(error) && IOLoop.monotonicNanos() &- lastAnswered <= sessionNanos {
                await cluster.coordinatorFailed(group: groupId)
                continue
            }
            throw error
        }
    }

    private func trace(_ message: @autoclosure () -> String) {
        ClientTrace.log(.group, "\(groupId) member \(memberId.isEmpty ? "(new)" : memberId) generation \(generation): \(message())")
    }

    /// Errors that say the coordinator is elsewhere or unreachable, not that the member is gone.
    static func isCoordinatorLoss(_ error: KafkaClientError) -> Bool {
        switch error {
        case .transport, .noBrokerReachable, .timedOut: return true
        default:
            switch error.errorCode {
            case .notCoordinator?, .coordinatorNotAvailable?, .coordinatorLoadInProgress?, .requestTimedOut?, .networkException?:
                return true
            default: return false
            }
        }
    }

    private func send<R: KafkaRequest>(_ request: R, session: BrokerSession, timeoutMs: Int) async throws -> R.Response {
        do {
            return try await session.send(request, timeoutMs: timeoutMs).response
        } catch let error as KafkaClientError {
            if case .transport = error {
                await cluster.sessionFailed(session)
                await cluster.coordinatorFailed(group: groupId)
            }
            throw error
        }
    }

    /// Stops delivery of every assigned partition, commits where it got to (with auto-commit),
    /// and tells the application.
    func revokeAll() async {
        guard !assigned.isEmpty else { return }
        let revoked = assigned
        assigned = []
        let positions = state.revoke(revoked)
        if configuration.enableAutoCommit && generation >= 0 {
            do {
                try await commitIfChanged(positions)
            } catch let error as KafkaClientError {
                events.yield(.error(error))
            } catch {}
        }
        events.yield(.revoked(revoked))
    }

    // MARK: offsets

    /// Commits the current positions of the assigned partitions.
    func commitPositions() async throws {
        let positions = state.positions.filter { assigned.contains($0.key) }
        try await commitIfChanged(positions)
    }

    private func commitIfChanged(_ positions: [TopicPartition: Int64]) async throws {
        let changed = positions.filter { committed[$0.key] != $0.value }
        guard !changed.isEmpty else { return }
        try await store.commit(changed, generation: generation, memberId: memberId)
        for (tp, offset) in changed { committed[tp] = offset }
    }

    /// Leaves the group (after a final commit with auto-commit) so the others rebalance at once.
    func leave() async {
        if configuration.enableAutoCommit { try? await commitPositions() }
        if !assigned.isEmpty {
            let revoked = assigned
            assigned = []
            state.revoke(revoked)
            events.yield(.revoked(revoked))
        }
        guard !memberId.isEmpty else { return }
        do {
            let session = try await cluster.coordinatorSession(group: groupId)
            let version = try session.negotiatedVersion(LeaveGroupRequest.self)
            var request = LeaveGroupRequest()
            request.groupId = groupId
            if version >= 3 {
                var member = LeaveGroupRequest.MemberIdentity()
                member.memberId = memberId
                if version >= 5 { member.reason = "the consumer is closing" }
                request.members = [member]
            } else {
                request.memberId = memberId
            }
            _ = try await session.send(request, timeoutMs: configuration.client.requestTimeoutMs)
        } catch {}
        memberId = ""
        generation = -1
    }
}
