import Foundation
import KafkaClient
import KafkaProtocol
import Synchronization
import Testing

/// A consumer group of two members reading 100,000 keyed records from the mock cluster while it
/// fails: errors injected into Fetch, Heartbeat, OffsetCommit, FindCoordinator, JoinGroup and
/// SyncGroup, the coordinator moved and taken down, partition leaders moved, a broker down and
/// back. Every record must be processed. Re-deliveries are counted apart and bounded: a member
/// re-reads after a rebalance at most what it had processed without a successful commit.
@Suite struct MockClusterGroupFaultTests {
    static let total = Int(ProcessInfo.processInfo.environment["FAULT_RECORDS"] ?? "") ?? 100_000
    static let partitions = 6
    static let commitEvery = 1_000

    enum Api {
        static let fetch: Int16 = 1
        static let offsetCommit: Int16 = 8
        static let findCoordinator: Int16 = 10
        static let joinGroup: Int16 = 11
        static let heartbeat: Int16 = 12
        static let syncGroup: Int16 = 14
    }

    /// Deliveries per (partition, offset) across the members.
    final class Ledger: Sendable {
        private let seen = Mutex<(distinct: Int, deliveries: Int, counts: [TopicPartition: [Int64: Int]])>((0, 0, [:]))
        func add(_ record: ConsumerRecord) {
            seen.withLock { s in
                s.deliveries += 1
                s.counts[record.topicPartition, default: [:]][record.offset, default: 0] += 1
                if s.counts[record.topicPartition]![record.offset] == 1 { s.distinct += 1 }
            }
        }
        var distinct: Int { seen.withLock { $0.distinct } }
        var duplicates: Int { seen.withLock { $0.deliveries - $0.distinct } }
    }

    /// One member: processes records, commits explicitly every `commitEvery`, and keeps what
    /// bounds its re-deliveries.
    final class Member: Sendable {
        let consumer: KafkaConsumer
        let revocations = Atomic<Int>(0)
        let maxUncommitted = Atomic<Int>(0)
        let commitFailures = Atomic<Int>(0)
        let errors = Mutex<[String]>([])

        init(_ consumer: KafkaConsumer) { self.consumer = consumer }

        func run(_ ledger: Ledger, until done: @escaping @Sendable () -> Bool) -> Task<Void, Never> {
            let events = consumer.events
            Task {
                for await event in events {
                    switch event {
                    case let .revoked(partitions) where !partitions.isEmpty: self.revocations.add(1, ordering: .relaxed)
                    case let .error(error): self.errors.withLock { if $0.count < 20 { $0.append("\(error)") } }
                    default: break
                    }
                }
            }
            let consumer = consumer
            return Task {
                var sinceCommit = 0
                do {
                    for try await record in consumer.records {
                        ledger.add(record)
                        sinceCommit += 1
                        if sinceCommit > self.maxUncommitted.load(ordering: .relaxed) { self.maxUncommitted.store(sinceCommit, ordering: .relaxed) }
                        if sinceCommit >= MockClusterGroupFaultTests.commitEvery {
                            do {
                                try await consumer.commit()
                                sinceCommit = 0
                            } catch {
                                self.commitFailures.add(1, ordering: .relaxed)
                            }
                        }
                        if done() { break }
                    }
                } catch {
                    self.errors.withLock { $0.append("records ended: \(error)") }
                }
            }
        }

        /// The most this member can have re-delivered: each rebalance (and the first assignment
        /// from an uncommitted start) re-reads at most what it processed since its last commit.
        var redeliveryBound: Int { (revocations.load(ordering: .relaxed) + 1) * maxUncommitted.load(ordering: .relaxed) }
    }

    func member(_ client: ClientConfiguration, group: String) -> KafkaConsumer {
        var config = ConsumerConfiguration(client: client, groupId: group)
        // Short enough that a member left behind by a failed rejoin expires quickly.
        config.sessionTimeoutMs = 4_000
        config.heartbeatIntervalMs = 300
        config.rebalanceTimeoutMs = 5_000
        config.autoOffsetReset = .earliest
        config.enableAutoCommit = false
        config.fetchMaxWaitMs = 100
        config.retryBackoffMs = 50
        return KafkaConsumer(configuration: config)
    }

    @Test func aGroupProcessesEveryRecordThroughCoordinatorLeaderAndBrokerFaults() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = TansuBroker.uniqueTopic("fault-group")
        let group = TansuBroker.uniqueTopic("fault-group")
        try mock.createTopic(topic, partitions: Self.partitions)
        let client = try mock.configuration
        var produced = try await FaultHarness.produce(FaultHarness.producerConfiguration(client), topic: topic, total: Self.total)
        #expect(produced.acked == Self.total, "\(produced)")

        let ledger = Ledger()
        let total = Self.total
        let done: @Sendable () -> Bool = { ledger.distinct >= total }
        let members = [Member(member(client, group: group)), Member(member(client, group: group))]
        var readers: [Task<Void, Never>] = []
        for m in members {
            try await m.consumer.subscribe(topics: [topic])
            readers.append(m.run(ledger, until: done))
        }

        func downFor(_ broker: Int32) throws {
            try mock.setDown(broker)
            Task {
                try await Task.sleep(nanoseconds: 1_000_000_000)
                try mock.setUp(broker)
            }
        }
        // Faults fire as processing passes each mark.
        let faults: [(Int, String, () throws -> Void)] = [
            (10, "Fetch errors", { try mock.pushErrors(apiKey: Api.fetch, [.notLeaderOrFollower, .requestTimedOut, .networkException]) }),
            (20, "Heartbeat errors", { try mock.pushErrors(apiKey: Api.heartbeat, [.rebalanceInProgress, .notCoordinator, .coordinatorNotAvailable]) }),
            (30, "OffsetCommit errors", { try mock.pushErrors(apiKey: Api.offsetCommit, [.notCoordinator, .coordinatorNotAvailable, .requestTimedOut]) }),
            (40, "coordinator moved, FindCoordinator errors", {
                try mock.pushErrors(apiKey: Api.findCoordinator, [.coordinatorNotAvailable, .networkException])
                try mock.moveCoordinator(group: group, to: 2)
            }),
            (50, "JoinGroup/SyncGroup errors on a rebalance", {
                try mock.pushErrors(apiKey: Api.joinGroup, [.coordinatorNotAvailable, .rebalanceInProgress])
                try mock.pushErrors(apiKey: Api.syncGroup, [.rebalanceInProgress, .notCoordinator])
                try mock.pushErrors(apiKey: Api.heartbeat, [.rebalanceInProgress])
            }),
            (60, "leaders moved", {
                for p in 0..<Self.partitions { try mock.moveLeader(topic: topic, partition: Int32(p), to: Int32((p + 1) % 3 + 1)) }
            }),
            (70, "broker 1 down for 1 s", { try downFor(1) }),
            (80, "coordinator moved to 3, then 3 down for 1 s", {
                try mock.moveCoordinator(group: group, to: 3)
                try downFor(3)
            }),
        ]
        var fired: [String] = []
        // Generous: CPU-bound suites running alongside can starve the cooperative pool.
        let deadline = Date().addingTimeInterval(240)
        for (percent, name, fault) in faults {
            let mark = total * percent / 100
            while ledger.distinct < mark && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
            guard Date() < deadline else { break }
            try fault()
            fired.append(name)
            FaultHarness.progress("\(topic): \(ledger.distinct) processed, fault: \(name)")
        }
        while !done() && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        for m in members { await m.consumer.close() }
        for reader in readers { await reader.value }

        let bound = members.reduce(0) { $0 + $1.redeliveryBound }
        produced.consumed = ledger.distinct + ledger.duplicates
        produced.lost = total - ledger.distinct
        produced.duplicated = ledger.duplicates
        let report = "\(produced); faults fired: \(fired.count)/\(faults.count); re-delivery bound \(bound); "
            + "revocations \(members.map { $0.revocations.load(ordering: .relaxed) }), "
            + "commit failures \(members.map { $0.commitFailures.load(ordering: .relaxed) }), "
            + "errors \(members.map { $0.errors.withLock { $0.prefix(5) } })"
        print("fault scenario consumer group: \(report)")
        #expect(fired.count == faults.count, "\(report)")
        #expect(ledger.distinct == total, "every record processed: \(report)")
        #expect(ledger.duplicates <= bound, "re-deliveries beyond what was uncommitted: \(report)")
    }
}
