import Foundation
import KafkaClient
import Synchronization
import Testing

/// Consumer groups on Tansu: join, share, rebalance on leave, commit, resume.
/// Tansu holds JoinGroup for half the session timeout, hence the short timeouts.
@Suite struct ConsumerGroupTests {
    func member(_ broker: TansuBroker, group: String) -> KafkaConsumer {
        var config = ConsumerConfiguration(client: broker.configuration, groupId: group)
        config.sessionTimeoutMs = 4_000  // Tansu holds JoinGroup for half of it; room for a loaded CI machine
        config.heartbeatIntervalMs = 800
        config.rebalanceTimeoutMs = 8_000
        config.autoOffsetReset = .earliest
        config.autoCommitIntervalMs = 300
        config.fetchMaxWaitMs = 200
        return KafkaConsumer(configuration: config)
    }

    /// Counts deliveries per (partition, offset) across members.
    final class Ledger: Sendable {
        let seen = Mutex<[TopicPartition: [Int64: Int]]>([:])
        var total: Int { seen.withLock { $0.values.reduce(0) { $0 + $1.count } } }
        var duplicates: [String] {
            seen.withLock { s in s.flatMap { tp, offsets in offsets.filter { $0.value > 1 }.map { "\(tp)@\($0.key)×\($0.value)" } } }
        }
        func contains(_ tp: TopicPartition, _ offset: Int64) -> Bool { seen.withLock { $0[tp]?[offset] != nil } }

        func read(_ consumer: KafkaConsumer) -> Task<Void, Never> {
            let records = consumer.records
            return Task {
                do {
                    for try await record in records {
                        self.seen.withLock { $0[record.topicPartition, default: [:]][record.offset, default: 0] += 1 }
                    }
                } catch {}
            }
        }
    }

    @Test func membersShareRebalanceAndResumeFromCommits() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 6, prefix: "grp")
        let group = TansuBroker.uniqueTopic("group")
        try await Librdkafka.produce(broker, topic: topic, count: 60)
        let ledger = Ledger()

        let a = member(broker, group: group)
        let aEvents = EventWatcher(a)
        try await a.subscribe(topics: [topic])
        let aReader = ledger.read(a)
        #expect(await eventually { aEvents.assigned.count == 6 }, "a: \(aEvents.assigned)")

        let b = member(broker, group: group)
        let bEvents = EventWatcher(b)
        try await b.subscribe(topics: [topic])
        let bReader = ledger.read(b)
        #expect(await eventually { aEvents.assigned.count == 3 && bEvents.assigned.count == 3 },
                "a: \(aEvents.assigned.sorted()), b: \(bEvents.assigned.sorted())")
        #expect(aEvents.assigned.isDisjoint(with: bEvents.assigned))

        try await Librdkafka.produce(broker, topic: topic, count: 60, start: 60)
        #expect(await eventually { ledger.total >= 120 }, "consumed \(ledger.total) of 120")

        // b leaves: a takes everything, from b's committed positions.
        await b.close()
        bReader.cancel()
        #expect(await eventually { aEvents.assigned.count == 6 }, "a: \(aEvents.assigned.sorted())")
        try await Librdkafka.produce(broker, topic: topic, count: 60, start: 120)
        #expect(await eventually { ledger.total >= 180 }, "consumed \(ledger.total) of 180")
        try await a.commit()
        await a.close()
        aReader.cancel()
        #expect(ledger.total == 180)
        #expect(ledger.duplicates.isEmpty, "delivered more than once: \(ledger.duplicates.prefix(10))")
        #expect(aEvents.errors.isEmpty, "\(aEvents.errors)")

        // A new member of the same group resumes after what was committed.
        try await Librdkafka.produce(broker, topic: topic, count: 30, start: 180)
        let c = member(broker, group: group)
        let later = Ledger()
        try await c.subscribe(topics: [topic])
        let cReader = later.read(c)
        #expect(await eventually { later.total >= 30 }, "c consumed \(later.total) of 30")
        try await Task.sleep(nanoseconds: 300_000_000)
        await c.close()
        cReader.cancel()
        #expect(later.total == 30)
        let reread = later.seen.withLock { s in s.flatMap { tp, offsets in offsets.keys.filter { ledger.contains(tp, $0) } } }
        #expect(reread.isEmpty, "re-read committed records: \(reread.prefix(10))")
    }

    @Test func roundRobinGroupSplitsPartitions() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 4, prefix: "rr")
        let group = TansuBroker.uniqueTopic("rr-group")
        func rr() -> KafkaConsumer {
            var config = member(broker, group: group).configuration
            config.assignmentStrategies = [.roundRobin]
            return KafkaConsumer(configuration: config)
        }
        let a = rr(), b = rr()
        let aEvents = EventWatcher(a), bEvents = EventWatcher(b)
        try await a.subscribe(topics: [topic])
        try await b.subscribe(topics: [topic])
        #expect(await eventually { aEvents.assigned.count == 2 && bEvents.assigned.count == 2 },
                "a: \(aEvents.assigned.sorted()), b: \(bEvents.assigned.sorted())")
        let partitions = (aEvents.assigned.map(\.partition).sorted(), bEvents.assigned.map(\.partition).sorted())
        #expect([partitions.0, partitions.1].sorted { $0.first ?? 0 < $1.first ?? 0 } == [[0, 2], [1, 3]])
        await a.close()
        await b.close()
    }

    @Test func subscribingToAMissingTopicReportsAnError() async throws {
        let broker = try await TansuBroker.shared()
        let consumer = member(broker, group: TansuBroker.uniqueTopic("missing-group"))
        let events = EventWatcher(consumer)
        let topic = TansuBroker.uniqueTopic("missing")
        try await consumer.subscribe(topics: [topic])
        #expect(await eventually {
            events.errors.contains { if case .unknownTopic(topic) = $0 { true } else { false } }
        }, "\(events.errors)")
        #expect(consumer.assignment.isEmpty)
        await consumer.close()
    }

    @Test func subscribeNeedsAGroup() async throws {
        let broker = try await TansuBroker.shared()
        let consumer = KafkaConsumer(configuration: ConsumerConfiguration(client: broker.configuration))
        await #expect(throws: KafkaClientError.self) { try await consumer.subscribe(topics: ["x"]) }
        await consumer.close()
    }
}
