import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// The idempotent producer through the tests' proxy in front of Tansu, which cuts connections
/// part-way through Produce requests (the broker never sees them whole) and part-way through
/// Produce answers (the broker appended, the client cannot know). Retries carry the same
/// producer id, epoch and sequence, so the broker drops what it already has.
///
/// This runs on Tansu rather than the mock cluster: the mock checks sequences only for
/// transactional producers, so it appends a retried batch twice and no client could avoid it.
@Suite struct ProducerConnectionCutTests {
    static let total = Int(ProcessInfo.processInfo.environment["FAULT_RECORDS"] ?? "") ?? 100_000
    static let produceKey: Int16 = 0

    @Test func connectionsCutMidRequestAndMidAnswerLoseNothing() async throws {
        let broker = try await TansuBroker.shared()
        let partitions = 6
        let topic = try await createTopic(broker, partitions: Int32(partitions), prefix: "fault-cuts")
        let proxy = try ProxiedCluster(bootstrap: broker.brokers)
        defer { proxy.stop() }
        // Every 25th Produce request stops half-way; every 20th answer stops after its
        // correlation id.
        proxy.setRule { frame in
            guard frame.apiKey == Self.produceKey else { return .forward }
            switch frame.direction {
            case .request: return frame.ordinal % 25 == 4 ? .cut(afterBytes: frame.payload.count / 2) : .forward
            case .response: return frame.ordinal % 20 == 3 ? .cut(afterBytes: 6) : .forward
            }
        }
        var client = try ClientConfiguration(brokers: proxy.bootstrap)
        client.requestTimeoutMs = 10_000
        client.reconnectBackoffMs = 10
        var config = FaultHarness.producerConfiguration(client)
        config.batchSizeBytes = 16 * 1024
        config.bufferMemoryBytes = 128 * 1024
        var counts = try await FaultHarness.produce(config, topic: topic, total: Self.total)
        let cuts = proxy.cuts
        proxy.stop()
        try await FaultHarness.verify(broker.configuration, topic: topic, partitions: partitions, total: Self.total, into: &counts)
        #expect(cuts >= 4, "the proxy cut only \(cuts) connections")
        FaultHarness.expectExactlyOnceInOrder(counts, total: Self.total, "connections cut mid-request/answer (\(cuts) cuts)")
    }
}
