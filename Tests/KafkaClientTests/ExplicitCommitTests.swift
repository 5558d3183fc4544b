import Foundation
import KafkaClient
import Testing

/// `commit(_ offsets:)`: a group member commits the offsets it chooses (what its application
/// has finished), not the positions delivered so far.
@Suite struct ExplicitCommitTests {
    @Test func groupMemberCommitsChosenOffsetsNotPositions() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 2, prefix: "explicit")
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: broker.configuration))
        for i in 0..<10 { try await producer.send(topic: topic, value: "v\(i)", partition: Int32(i % 2)) }
        await producer.close()

        let group = TansuBroker.uniqueTopic("explicit-group")
        var config = ConsumerConfiguration(client: broker.configuration, groupId: group)
        config.sessionTimeoutMs = 4_000
        config.heartbeatIntervalMs = 800
        config.rebalanceTimeoutMs = 8_000
        config.autoOffsetReset = .earliest
        config.enableAutoCommit = false
        let consumer = KafkaConsumer(configuration: config)
        try await consumer.subscribe(topics: [topic])
        var delivered = 0
        for try await _ in consumer.records {
            delivered += 1
            if delivered == 10 { break }
        }
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1)
        #expect(consumer.position(p0) == 5 && consumer.position(p1) == 5)
        // Only part of what was delivered is "done"; a partition not owned is ignored.
        try await consumer.commit([p0: 2, p1: 4, TopicPartition(topic + "-other", 0): 1])
        #expect(try await consumer.committed([p0, p1]) == [p0: 2, p1: 4])
        await consumer.close()
        // Closing without auto-commit leaves the explicit offsets as they are.
        let reader = KafkaConsumer(configuration: config)
        #expect(try await reader.committed([p0, p1]) == [p0: 2, p1: 4])
        await reader.close()
    }
}
