import Foundation
import KafkaBenchKit
import KafkaClient
import KafkaCompression
import KafkaProtocol
import Testing

/// Keeps `make bench`'s code from rotting: the codec micro-benchmarks and one tiny produce and
/// consume through the same functions `kafka-bench` runs. Checks what was read, never timing.
@Suite struct BenchSmokeTests {
    @Test func codecMeasurementsRunAndDecodeWhatWasEncoded() throws {
        // Small batch, one round each: correctness of the measured code, not speed.
        let results = try CodecBench.run(batchBytes: 16 * 1024, minSeconds: 0)
        let names = results.map(\.name)
        for size in ["100B", "1KiB"] {
            for codec in ["none", "lz4"] {
                #expect(names.contains("encode \(size) \(codec)"))
                #expect(names.contains("decode \(size) \(codec)"))
            }
        }
        #expect(names.contains("crc32c") && names.contains("memcpy"))
        #expect(results.allSatisfy { $0.iterations > 0 && $0.bytes > 0 })
    }

    @Test func payloadCarriesItsIndex() {
        var value = BenchPayload.value(index: 0, size: 100)
        BenchPayload.write(index: 123_456_789, into: &value)
        #expect(value.count == 100)
        #expect(BenchPayload.index(of: value) == 123_456_789)
        #expect(BenchPayload.index(of: [1, 2, 3]) == nil)
        #expect(BenchPayload.expectedIndexSum(count: 4) == 6)
    }

    @Test(arguments: [CompressionCodec.none, .lz4])
    func produceThenConsumeEveryRecordOnce(codec: CompressionCodec) async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 3, prefix: "bench")
        var settings = WorkloadSettings(brokers: broker.brokers, topic: topic, count: 2_000, size: 100)
        settings.codec = codec
        settings.batchBytes = 16 * 1024  // several batches per partition
        let produced = try await ProduceBench.run(settings)
        #expect(produced.records == 2_000 && produced.bytes == 200_000)
        // ConsumeBench itself throws on a lost, duplicated or wrong-sized record.
        let consumed = try await ConsumeBench.run(settings)
        #expect(consumed.records == 2_000 && consumed.bytes == 200_000)
    }

    @Test func consumeRejectsRecordsOfTheWrongSize() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 3, prefix: "bench")
        var settings = WorkloadSettings(brokers: broker.brokers, topic: topic, count: 300, size: 100)
        _ = try await ProduceBench.run(settings)
        settings.size = 90
        await #expect(throws: BenchError.self) { try await ConsumeBench.run(settings) }
    }
}
