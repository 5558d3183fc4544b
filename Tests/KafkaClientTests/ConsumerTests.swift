import Foundation
import KafkaClient
import Testing

/// Consuming by assignment from a real Tansu broker, with records produced by librdkafka.
@Suite struct ConsumerTests {
    func consumer(_ broker: TansuBroker, groupId: String? = nil) -> KafkaConsumer {
        var config = ConsumerConfiguration(client: broker.configuration, groupId: groupId)
        config.fetchMaxWaitMs = 200
        config.enableAutoCommit = false
        return KafkaConsumer(configuration: config)
    }

    @Test(arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func readsWhatLibrdkafkaProducedWithEachCodec(codec: String) async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "codec-\(codec)")
        let count = 50
        try await Librdkafka.produce(broker, topic: topic, count: count, codec: codec, partition: 0,
                                     valueSize: 64, headers: true, tombstones: true, timestampBase: 1_700_000_000_000)
        let consumer = consumer(broker)
        try await consumer.assign([TopicPartition(topic, 0): .earliest])
        let collector = RecordCollector(consumer)
        #expect(await eventually { collector.count >= count }, "got \(collector.count) of \(count)")
        await consumer.close()
        let records = collector.records
        #expect(records.count == count)
        for (i, record) in records.enumerated() {
            let expected = ConsumerRecord(
                topic: topic, partition: 0, offset: Int64(i), timestamp: 1_700_000_000_000 + Int64(i),
                key: Librdkafka.key(i), value: Librdkafka.value(i, size: 64, tombstones: true),
                headers: [("h", Array("\(i)".utf8)), ("n", nil)])
            #expect(record == expected, "record \(i): \(record)")
        }
    }

    @Test func latestSeesOnlyNewRecords() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "latest")
        // Two batches: Tansu's ListOffsets LATEST answers the last batch's base + 1 (here 6).
        try await Librdkafka.produce(broker, topic: topic, count: 5, partition: 0)
        try await Librdkafka.produce(broker, topic: topic, count: 5, start: 5, partition: 0)
        let consumer = consumer(broker)
        let tp = TopicPartition(topic, 0)
        try await consumer.assign([tp: .latest])
        let collector = RecordCollector(consumer)
        #expect(await eventually { consumer.position(tp) != nil })
        #expect(consumer.position(tp) == 10)
        try await Librdkafka.produce(broker, topic: topic, count: 3, start: 10, partition: 0)
        #expect(await eventually { collector.count >= 3 })
        try await Task.sleep(nanoseconds: 300_000_000)
        await consumer.close()
        #expect(collector.records.map(\.offset) == [10, 11, 12])
        #expect(collector.records.map(\.key) == (10..<13).map(Librdkafka.key))
    }

    @Test func offsetStartsThereEvenInsideABatch() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "offset")
        try await Librdkafka.produce(broker, topic: topic, count: 10, partition: 0)
        let consumer = consumer(broker)
        try await consumer.assign([TopicPartition(topic, 0): .offset(4)])
        let collector = RecordCollector(consumer)
        #expect(await eventually { collector.count >= 6 })
        await consumer.close()
        #expect(collector.records.map(\.offset) == Array(4..<10))
        #expect(collector.records.first?.value == Librdkafka.value(4))
    }

    @Test func timestampStartsAtTheFirstBatchAtOrAfterIt() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "ts")
        // Tansu looks timestamps up by its own append time (not the records' CreateTime) and
        // answers a batch's base offset, so the test uses wall-clock time and batch boundaries,
        // where every broker agrees.
        try await Librdkafka.produce(broker, topic: topic, count: 10, partition: 0)
        try await Task.sleep(nanoseconds: 100_000_000)
        let between = Int64(Date().timeIntervalSince1970 * 1000)
        try await Task.sleep(nanoseconds: 100_000_000)
        try await Librdkafka.produce(broker, topic: topic, count: 10, start: 10, partition: 0)
        let consumer = consumer(broker)
        try await consumer.assign([TopicPartition(topic, 0): .timestamp(between)])
        let records = RecordCollector(consumer)
        #expect(await eventually { records.count >= 10 })
        await consumer.close()
        #expect(records.records.map(\.offset) == Array(10..<20))
        // Past every record: start at the end.
        let future = self.consumer(broker)
        let tp = TopicPartition(topic, 0)
        try await future.assign([tp: .timestamp(between + 3_600_000)])
        #expect(await eventually { future.position(tp) != nil })
        #expect(future.position(tp) == 20)
        await future.close()
    }

    @Test func readsManyPartitionsAndBigResponses() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 3, prefix: "many")
        let count = 6_000
        try await Librdkafka.produce(broker, topic: topic, count: count, codec: "lz4", valueSize: 1_000)
        var config = ConsumerConfiguration(client: broker.configuration)
        config.maxBufferedBytes = 1 << 20  // far below what is produced: fetching must pause and resume
        let consumer = KafkaConsumer(configuration: config)
        try await consumer.assign([TopicPartition(topic, 0): .earliest, TopicPartition(topic, 1): .earliest,
                                   TopicPartition(topic, 2): .earliest])
        let collector = RecordCollector(consumer)
        #expect(await eventually(30) { collector.count >= count }, "got \(collector.count)")
        await consumer.close()
        let keys = Set(collector.records.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } })
        #expect(collector.count == count)
        #expect(keys.count == (0..<count).filter { $0 % 7 != 3 }.count)
        for partition in Int32(0)..<3 {
            let offsets = collector.records.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(0..<Int64(offsets.count)))
        }
    }

    @Test func outOfRangeOffsetResetsByPolicy() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "oor")
        try await Librdkafka.produce(broker, topic: topic, count: 10, partition: 0)
        var config = ConsumerConfiguration(client: broker.configuration)
        config.autoOffsetReset = .earliest
        config.fetchMaxWaitMs = 200
        let consumer = KafkaConsumer(configuration: config)
        try await consumer.assign([TopicPartition(topic, 0): .offset(1_000)])
        let collector = RecordCollector(consumer)
        #expect(await eventually { collector.count >= 10 })
        await consumer.close()
        #expect(collector.records.map(\.offset) == Array(0..<10))
    }

    @Test func highWatermarksAreTheEndOfEachPartition() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 2, prefix: "hw")
        try await Librdkafka.produce(broker, topic: topic, count: 7, partition: 0)
        try await Librdkafka.produce(broker, topic: topic, count: 4, start: 7, partition: 0)
        let cluster = KafkaCluster(configuration: broker.configuration)
        let marks = try await cluster.highWatermarks([TopicPartition(topic, 0), TopicPartition(topic, 1)])
        #expect(marks == [TopicPartition(topic, 0): 11, TopicPartition(topic, 1): 0])
        let earliest = try await cluster.earliestOffsets([TopicPartition(topic, 0)])
        #expect(earliest[TopicPartition(topic, 0)] == 0)
        await cluster.close()
    }

    @Test func commitsAndReadsBackManualPositions() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "commit")
        try await Librdkafka.produce(broker, topic: topic, count: 8, partition: 0)
        let group = TansuBroker.uniqueTopic("g")
        let consumer = consumer(broker, groupId: group)
        let tp = TopicPartition(topic, 0)
        try await consumer.assign([tp: .earliest])
        let collector = RecordCollector(consumer)
        #expect(await eventually { collector.count >= 8 })
        #expect(await eventually { consumer.position(tp) == 8 })
        try await consumer.commit()
        #expect(try await consumer.committed([tp]) == [tp: 8])
        await consumer.close()
    }

    @Test func unknownTopicIsATypedError() async throws {
        let broker = try await TansuBroker.shared()
        let consumer = consumer(broker)
        do {
            try await consumer.assign([TopicPartition(TansuBroker.uniqueTopic("missing"), 0): .earliest])
            Issue.record("assigned a topic that does not exist")
        } catch let error as KafkaClientError {
            guard case .unknownTopic = error else { Issue.record("unexpected \(error)"); return }
        }
        let topic = try await createTopic(broker, partitions: 1, prefix: "nopart")
        do {
            try await consumer.assign([TopicPartition(topic, 5): .earliest])
            Issue.record("assigned a partition that does not exist")
        } catch let error as KafkaClientError {
            #expect(error.errorCode == .unknownTopicOrPartition)
        }
        await consumer.close()
    }

    @Test func recordsEndAfterClose() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, prefix: "close")
        let consumer = consumer(broker)
        try await consumer.assign([TopicPartition(topic, 0): .earliest])
        let reader = Task { () -> Int in
            var n = 0
            for try await _ in consumer.records { n += 1 }
            return n
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        await consumer.close()
        #expect(try await reader.value == 0)
    }
}
