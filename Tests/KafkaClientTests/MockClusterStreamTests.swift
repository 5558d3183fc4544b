import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// Produce and consume across three brokers while partition leaders move.
@Suite struct MockClusterStreamTests {
    @Test(arguments: [1, 5])
    func leaderMovesMidStreamLoseNothingAndKeepOrder(maxInFlight: Int) async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = TansuBroker.uniqueTopic("mock-stream")
        try mock.createTopic(topic, partitions: 3)
        var config = ProducerConfiguration(client: try mock.configuration)
        config.lingerMs = 2
        config.deliveryTimeoutMs = 30_000
        config.maxInFlightPerPartition = maxInFlight
        let producer = try KafkaProducer(configuration: config)
        let total = 3_000
        var failures = 0
        for i in 0..<total {
            if i == total / 3 || i == 2 * total / 3 {
                // Move every partition's leader to the next broker while records are in flight.
                for partition: Int32 in 0..<3 {
                    try mock.moveLeader(topic: topic, partition: partition, to: Int32((Int(partition) + i / 1000) % 3 + 1))
                }
            }
            do {
                try await producer.enqueue(topic: topic, key: "k-\(i % 50)", value: String(i), headers: [], partition: nil, timestamp: nil)
            } catch {
                failures += 1
            }
        }
        await producer.flush()
        await producer.close()
        #expect(failures == 0)

        var consumerConfig = ConsumerConfiguration(client: try mock.configuration)
        consumerConfig.autoOffsetReset = .earliest
        let consumer = KafkaConsumer(configuration: consumerConfig)
        let events = EventWatcher(consumer)
        try await consumer.assign(Dictionary(uniqueKeysWithValues: (0..<3).map { (TopicPartition(topic, Int32($0)), StartPosition.earliest) }))
        var seen = Set<Int>()
        var lastPerKey: [String: Int] = [:]
        var outOfOrder = 0
        var duplicates = 0
        // Bounded: if records stop coming, closing the consumer ends the loop below. Generous,
        // because CPU-bound suites running alongside can starve the cooperative pool for minutes.
        let watchdog = Task {
            try await Task.sleep(nanoseconds: 120_000_000_000)
            await consumer.close()
        }
        defer { watchdog.cancel() }
        for try await record in consumer.records {
            let key = String(decoding: record.key ?? [], as: UTF8.self)
            let value = Int(String(decoding: record.value ?? [], as: UTF8.self)) ?? -1
            if !seen.insert(value).inserted { duplicates += 1; continue }
            if let last = lastPerKey[key], last > value { outOfOrder += 1 }
            lastPerKey[key] = value
            if seen.count == total { break }
        }
        await consumer.close()
        #expect(seen.count == total, "consumed \(seen.count) distinct of \(total); errors: \(events.errors.prefix(5))")
        #expect(duplicates == 0)
        #expect(outOfOrder == 0)
    }
}
