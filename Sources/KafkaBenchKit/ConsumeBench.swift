import KafkaClient

/// Reads `count` records back by assignment (no group) from the start of every partition and
/// checks them: each of the expected size, their indices summing to what `count` records give.
public enum ConsumeBench {
    public static func run(_ settings: WorkloadSettings) async throws -> WorkloadResult {
        var config = ConsumerConfiguration(client: try settings.clientConfiguration())
        config.enableAutoCommit = false
        config.fetchMinBytes = 1
        config.fetchMaxWaitMs = 500
        config.maxPartitionFetchBytes = 1_048_576
        let consumer = KafkaConsumer(configuration: config)
        var received = 0, bytes = 0
        var indexSum: UInt64 = 0
        let start = ContinuousClock.now
        do {
            var starts: [TopicPartition: StartPosition] = [:]
            for partition in 0..<settings.partitions { starts[TopicPartition(settings.topic, Int32(partition))] = .earliest }
            try await consumer.assign(starts)
            for try await record in consumer.records {
                guard let value = record.value, value.count == settings.size, let index = BenchPayload.index(of: value) else {
                    throw BenchError("record at \(record.partition)/\(record.offset) has an unexpected value")
                }
                indexSum &+= UInt64(index)
                bytes += value.count
                received += 1
                if received == settings.count { break }
            }
        } catch {
            await consumer.close()
            throw error
        }
        let seconds = start.secondsElapsed
        await consumer.close()
        guard received == settings.count else { throw BenchError("the record stream ended after \(received) of \(settings.count)") }
        guard indexSum == BenchPayload.expectedIndexSum(count: settings.count) else {
            throw BenchError("records lost or duplicated: index sum \(indexSum), expected \(BenchPayload.expectedIndexSum(count: settings.count))")
        }
        return WorkloadResult(mode: "consume", records: received, bytes: bytes, seconds: seconds)
    }
}
