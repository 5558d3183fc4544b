import KafkaProtocol

/// The client's view of a cluster: one negotiated session per broker, opened on demand and
/// reopened with backoff after failures; a metadata cache refreshed on age and on demand;
/// leader and coordinator lookup. Producers, consumers and admin share one of these.
public actor KafkaCluster {
    public let configuration: ClientConfiguration
    public private(set) var metadata = ClusterMetadata()
    private var metadataFetchedAt: UInt64 = 0
    private var sessions: [Int32: BrokerSession] = [:]
    private var opening: [Int32: Task<BrokerSession, any Error>] = [:]
    private var bootstrap: BrokerSession?
    private var failures: [Int32: (count: Int, retryAt: UInt64)] = [:]
    private var coordinators: [String: Int32] = [:]
    private var closed = false
    /// Set once SASL authentication is refused: later calls fail with it at once instead of
    /// reconnecting to be refused again (no retry storm on wrong credentials).
    private var authenticationFailure: KafkaClientError?
    /// Refreshes metadata every `metadataMaxAgeMs`, and at once when `refreshSoon` asks.
    /// Started on first use, cancelled by `close`: the cluster owns it.
    private var refresher: Task<Void, Never>?
    private let refreshSignal = SenderSignal()
    /// Metadata refreshes done so far (the background ones included); for tests and diagnostics.
    public private(set) var metadataRefreshCount = 0

    public init(configuration: ClientConfiguration) {
        self.configuration = configuration
    }

    // MARK: sessions

    /// Any live session: a known broker, else a bootstrap server (tried in order).
    public func anySession() async throws -> BrokerSession {
        try checkOpen()
        startRefresherIfNeeded()
        forgetClosedSessions()
        if let session = sessions.values.first { return session }
        if let bootstrap { return bootstrap }
        var errors: [String] = []
        for broker in configuration.bootstrapServers {
            do {
                let session = try await BrokerSession.open(
                    host: broker.host, port: broker.port, options: configuration.connectionOptions,
                    caps: configuration.maxApiVersions)
                bootstrap = session
                return session
            } catch {
                try stopOnFatal(error)
                errors.append("\(broker): \(error)")
            }
        }
        throw KafkaClientError.noBrokerReachable(errors)
    }

    /// The session to broker `nodeId`, opening it if needed. Concurrent callers share one
    /// connection attempt; after failures, attempts back off exponentially with jitter.
    public func session(for nodeId: Int32) async throws -> BrokerSession {
        try checkOpen()
        if let session = sessions[nodeId] {
            guard session.connection.hasClosed else { return session }
            sessionFailed(session)
        }
        if let task = opening[nodeId] { return try await task.value }
        if metadata.brokers[nodeId] == nil { try await refreshMetadata() }
        guard let broker = metadata.brokers[nodeId] else {
            // A broker that is down drops out of the metadata while it may still lead
            // partitions: retriable, the leader comes back or moves.
            throw KafkaClientError.noBrokerReachable(["broker \(nodeId) is not in the cluster metadata (down?)"])
        }
        if let failure = failures[nodeId] {
            let now = IOLoop.monotonicNanos()
            if failure.retryAt > now { try await Task.sleep(nanoseconds: failure.retryAt - now) }
        }
        let options = configuration.connectionOptions, caps = configuration.maxApiVersions
        let task = Task {
            try await BrokerSession.open(host: broker.host, port: broker.port, nodeId: nodeId, options: options, caps: caps)
        }
        opening[nodeId] = task
        defer { opening[nodeId] = nil }
        do {
            let session = try await task.value
            sessions[nodeId] = session
            failures[nodeId] = nil
            return session
        } catch {
            try stopOnFatal(error)
            noteFailure(nodeId)
            throw error
        }
    }

    private func noteFailure(_ nodeId: Int32) {
        let count = (failures[nodeId]?.count ?? 0) + 1
        let base = min(configuration.reconnectBackoffMaxMs, configuration.reconnectBackoffMs << min(count, 10))
        let jittered = Double(base) * Double.random(in: 0.8...1.2)
        failures[nodeId] = (count, IOLoop.monotonicNanos() + UInt64(jittered * 1_000_000))
    }

    /// Drops cached sessions whose connections have closed (a broker that went down, a cut
    /// connection) so that no caller is handed a dead one: without this, a caller whose own
    /// request did not notice the failure (a FindCoordinator on a spare connection) would get
    /// the same dead session back on every retry.
    private func forgetClosedSessions() {
        for session in sessions.values where session.connection.hasClosed { sessionFailed(session) }
        if let bootstrap, bootstrap.connection.hasClosed { sessionFailed(bootstrap) }
    }

    /// Forgets a session whose connection failed; the next call reconnects.
    public func sessionFailed(_ session: BrokerSession) {
        session.close()
        if sessions[session.nodeId] === session {
            sessions[session.nodeId] = nil
            noteFailure(session.nodeId)
            // A broken connection may mean a broker left and leaders moved: look again now.
            refreshSoon()
        }
        if bootstrap === session { bootstrap = nil }
    }

    // MARK: metadata

    /// Fetches metadata for `topics` (nil: all topics) and merges it into the cache.
    @discardableResult
    public func refreshMetadata(topics: [String]? = nil, allowAutoCreate: Bool = false) async throws -> ClusterMetadata {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let session = try await anySession()
            var request = MetadataRequest()
            if let topics {
                request.topics = topics.map { name in
                    var topic = MetadataRequest.MetadataRequestTopic()
                    topic.name = name
                    return topic
                }
            } else {
                request.topics = nil
            }
            request.allowAutoTopicCreation = allowAutoCreate
            do {
                let (response, _) = try await session.send(request)
                let fresh = ClusterMetadata(response)
                metadata.merge(fresh, replacingAllTopics: topics == nil)
                metadataFetchedAt = IOLoop.monotonicNanos()
                metadataRefreshCount += 1
                dropSessionsToDepartedBrokers()
                return metadata
            } catch let error as KafkaClientError where error.isRetriable {
                lastError = error
                sessionFailed(session)
            }
        }
        throw lastError ?? KafkaClientError.noBrokerReachable([])
    }

    /// Metadata for `topics`, refreshed when missing, stale, or when a partition has no leader.
    public func topicMetadata(_ topic: String) async throws -> ClusterMetadata.TopicInfo {
        wantedTopics.insert(topic)
        let age = IOLoop.monotonicNanos() &- metadataFetchedAt
        let stale = age > UInt64(configuration.metadataMaxAgeMs) * 1_000_000
        if stale || metadata.topics[topic] == nil || metadata.topics[topic]?.partitions.contains(where: { $0.leader < 0 }) == true {
            try await refreshMetadata(topics: [topic])
        }
        guard let info = metadata.topics[topic] else { throw KafkaClientError.unknownTopic(topic) }
        if info.error == .unknownTopicOrPartition { throw KafkaClientError.unknownTopic(topic) }
        if info.error != .none {
            throw KafkaClientError.partition(info.error, topic: topic, partition: -1, broker: nil)
        }
        return info
    }

    /// Marks what is known about `topic` as stale: after NOT_LEADER_OR_FOLLOWER and friends.
    /// The background refresher fetches it again at once, so that other users of the cluster
    /// (a consumer's fetch loops on other brokers) learn of the move too.
    public func invalidate(topic: String) {
        metadata.topics[topic] = nil
        refreshSoon()
    }

    // MARK: background refresh

    /// Asks the background refresher to refresh the known topics now rather than at the next
    /// interval; requests coalesce.
    public func refreshSoon() {
        refreshWanted = true
        refreshSignal.signal()
    }

    private var refreshWanted = false

    private func startRefresherIfNeeded() {
        guard refresher == nil, !closed else { return }
        let interval = UInt64(max(1, configuration.metadataMaxAgeMs)) * 1_000_000
        let signal = refreshSignal
        refresher = Task { [weak self] in
            var failures = 0
            while !Task.isCancelled {
                guard let due = await self?.nextRefreshDue(interval: interval) else { return }
                if due > IOLoop.monotonicNanos() { await signal.wait(until: due) }
                guard !Task.isCancelled, let self else { return }
                if await self.refreshInBackground() {
                    failures = 0
                } else {
                    // No broker answered: back off (bounded) instead of spinning.
                    failures += 1
                    let backoff = UInt64(min(1_000, 50 << min(failures, 5))) * 1_000_000
                    await signal.wait(until: IOLoop.monotonicNanos() + backoff)
                }
            }
        }
    }

    /// When the next background refresh is due: now if one was asked for, else when the cache
    /// reaches its maximum age.
    private func nextRefreshDue(interval: UInt64) -> UInt64? {
        if closed { return nil }
        if refreshWanted { return 0 }
        return metadataFetchedAt == 0 ? IOLoop.monotonicNanos() + interval : metadataFetchedAt + interval
    }

    /// Refreshes the topics in use if a refresh was asked for or the cache is at its maximum age;
    /// answers false when the refresh failed.
    private func refreshInBackground() async -> Bool {
        let age = IOLoop.monotonicNanos() &- metadataFetchedAt
        guard refreshWanted || age >= UInt64(configuration.metadataMaxAgeMs) * 1_000_000 else { return true }
        refreshWanted = false
        let topics = Array(Set(metadata.topics.keys).union(wantedTopics)).sorted()
        do {
            try await refreshMetadata(topics: topics)
            return true
        } catch {
            if closed { return true }
            refreshWanted = true
            return false
        }
    }

    /// Topics someone looked up: refreshed in the background even while absent from the cache.
    private var wantedTopics: Set<String> = []

    public func leaderSession(topic: String, partition: Int32) async throws -> BrokerSession {
        let info = try await topicMetadata(topic)
        guard let entry = info.partitions.first(where: { $0.partition == partition }) else {
            throw KafkaClientError.partition(.unknownTopicOrPartition, topic: topic, partition: partition, broker: nil)
        }
        guard entry.leader >= 0 else {
            invalidate(topic: topic)
            throw KafkaClientError.partition(.leaderNotAvailable, topic: topic, partition: partition, broker: nil)
        }
        return try await session(for: entry.leader)
    }

    /// The controller, for admin requests (falls back to any broker when none is named).
    public func controllerSession() async throws -> BrokerSession {
        if metadata.controllerId < 0 { try await refreshMetadata(topics: []) }
        if metadata.controllerId >= 0 { return try await session(for: metadata.controllerId) }
        return try await anySession()
    }

    private func dropSessionsToDepartedBrokers() {
        for (id, session) in sessions where metadata.brokers[id] == nil {
            session.close()
            sessions[id] = nil
        }
    }

    // MARK: coordinators

    /// The group (or transaction) coordinator for `key`, looked up with FindCoordinator and
    /// cached until `coordinatorFailed`.
    public func coordinatorSession(group key: String) async throws -> BrokerSession {
        if let id = coordinators[key] { return try await session(for: id) }
        var lastError: (any Error)?
        for attempt in 0..<6 {
            if attempt > 0 { try await Task.sleep(nanoseconds: UInt64(100_000_000 * attempt)) }
            let session = try await anySession()
            var request = FindCoordinatorRequest()
            request.keyType = 0
            // v4 batched the lookup: the single Key field gave way to CoordinatorKeys.
            if try session.negotiatedVersion(FindCoordinatorRequest.self) >= 4 {
                request.coordinatorKeys = [key]
            } else {
                request.key = key
            }
            let response: FindCoordinatorResponse, version: Int16
            do {
                (response, version) = try await session.send(request)
            } catch let error as KafkaClientError where error.isRetriable {
                // The connection we asked on failed: ask another broker next time round.
                sessionFailed(session)
                lastError = error
                continue
            }
            let nodeId: Int32, code: KafkaErrorCode
            if version >= 4, let first = response.coordinators.first {
                nodeId = first.nodeId
                code = KafkaErrorCode(rawValue: first.errorCode)
                if code == .none { learnBroker(nodeId: first.nodeId, host: first.host, port: first.port) }
            } else {
                nodeId = response.nodeId
                code = KafkaErrorCode(rawValue: response.errorCode)
                if code == .none { learnBroker(nodeId: response.nodeId, host: response.host, port: response.port) }
            }
            if code == .none {
                coordinators[key] = nodeId
                return try await self.session(for: nodeId)
            }
            lastError = KafkaClientError.broker(code, broker: session.connection.peer, context: "FindCoordinator(\(key))")
            guard code.isRetriable else { break }
        }
        throw lastError ?? KafkaClientError.timedOut("FindCoordinator(\(key))")
    }

    public func coordinatorFailed(group key: String) {
        coordinators[key] = nil
    }

    private func learnBroker(nodeId: Int32, host: String, port: Int32) {
        if metadata.brokers[nodeId] == nil {
            metadata.brokers[nodeId] = .init(nodeId: nodeId, host: host, port: Int(port), rack: nil)
        }
    }

    // MARK: lifecycle

    private func checkOpen() throws {
        if closed { throw KafkaClientError.closed }
        if let authenticationFailure { throw authenticationFailure }
        try configuration.security.validate()
    }

    /// Errors that reconnecting cannot fix end the attempt at once: a refused login (remembered),
    /// and TLS trust or configuration failures (wrong CA, wrong host name, not TLS).
    private func stopOnFatal(_ error: any Error) throws {
        guard let error = error as? KafkaClientError else { return }
        switch error {
        case .authenticationFailed:
            authenticationFailure = error
            throw error
        case let .transport(.tlsFailed(_, cause, _)) where !cause.isRetriable:
            throw error
        default:
            return
        }
    }

    /// Closes every connection; requests in flight fail with `.closed`.
    public func close() {
        closed = true
        refresher?.cancel()
        refresher = nil
        refreshSignal.signal()
        for task in opening.values { task.cancel() }
        for session in sessions.values { session.close() }
        sessions = [:]
        bootstrap?.close()
        bootstrap = nil
    }
}
