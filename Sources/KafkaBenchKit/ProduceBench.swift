import KafkaClient
import KafkaCompression

/// Settings shared by the produce and consume workloads (the C peer takes the same ones).
public struct WorkloadSettings: Sendable {
    public var brokers: String
    public var topic: String
    public var count: Int
    public var size: Int
    public var partitions: Int = 3
    public var codec: CompressionCodec = .none
    public var lingerMs = 5
    public var batchBytes = 1_000_000
    /// Bytes of records not yet acknowledged: what keeps 1,000,000 records out of memory.
    public var bufferBytes = 64 * 1024 * 1024

    public init(brokers: String, topic: String, count: Int, size: Int) {
        self.brokers = brokers
        self.topic = topic
        self.count = count
        self.size = size
    }

    func clientConfiguration() throws -> ClientConfiguration {
        var client = try ClientConfiguration(brokers: brokers)
        client.clientId = "kafka-bench"
        return client
    }
}

/// Produces `count` records of `size` bytes with acks=all and idempotence, as fast as the
/// producer takes them: `enqueue` without awaiting each record, outcomes read from the
/// delivery reports (librdkafka's delivery callback). Buffer memory bounds what is held.
public enum ProduceBench {
    public static func run(_ settings: WorkloadSettings) async throws -> WorkloadResult {
        guard settings.size >= 8, settings.count > 0 else { throw BenchError("records need at least 8 bytes, count > 0") }
        var config = ProducerConfiguration(client: try settings.clientConfiguration())
        config.acks = .all
        config.idempotence = true
        config.compression = settings.codec
        config.lingerMs = settings.lingerMs
        config.batchSizeBytes = settings.batchBytes
        config.bufferMemoryBytes = settings.bufferBytes
        // Success is learned from flush, failures from the reports (librdkafka's side does the same).
        config.deliveryReportsOnlyErrors = true
        let producer = try KafkaProducer(configuration: config)
        let reports = Task { () -> (failed: Int, first: KafkaClientError?) in
            var failed = 0
            var first: KafkaClientError?
            for await report in producer.deliveryReports {
                if case let .failure(error) = report.result {
                    failed += 1
                    if first == nil { first = error }
                }
            }
            return (failed, first)
        }
        let start = ContinuousClock.now
        var value = BenchPayload.value(index: 0, size: settings.size)
        do {
            for index in 0..<settings.count {
                BenchPayload.write(index: index, into: &value)
                try await producer.enqueue(topic: settings.topic, value: value)
            }
            await producer.flush()
        } catch {
            await producer.close()
            throw error
        }
        let seconds = start.secondsElapsed
        await producer.close()
        let outcome = await reports.value
        guard outcome.failed == 0 else {
            throw BenchError("\(outcome.failed) of \(settings.count) records failed; first: \(outcome.first.map { "\($0)" } ?? "?")")
        }
        return WorkloadResult(mode: "produce", records: settings.count, bytes: settings.count * settings.size, seconds: seconds)
    }
}
