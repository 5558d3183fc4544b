import Foundation
import KafkaClient
import KafkaProtocol
import Synchronization
import Testing

/// What a fault scenario did to its records, as the report lists them.
struct FaultCounts: CustomStringConvertible {
    var sent = 0
    var acked = 0
    var failed = 0
    var consumed = 0
    var lost = 0
    var duplicated = 0
    var outOfOrder = 0
    var firstFailures: [String] = []

    var description: String {
        "sent \(sent), acked \(acked), failed \(failed), consumed \(consumed), lost \(lost), duplicated \(duplicated), out of order \(outOfOrder)"
            + (firstFailures.isEmpty ? "" : "; first failures: \(firstFailures)")
    }
}

/// Keyed records of a known shape for the fault scenarios: record `i` has key `k(i % 1000)` and
/// value `i`, so the consumed values tell what was lost, duplicated or reordered.
enum FaultHarness {
    static func key(_ i: Int) -> [UInt8] { Array("k\(i % 1000)".utf8) }
    static func value(_ i: Int) -> [UInt8] { Array(String(i).utf8) }

    static func producerConfiguration(_ client: ClientConfiguration) -> ProducerConfiguration {
        var config = ProducerConfiguration(client: client)
        config.lingerMs = 5
        config.batchSizeBytes = 64 * 1024
        config.retryBackoffMs = 20
        config.retryBackoffMaxMs = 500
        config.deliveryTimeoutMs = 120_000
        return config
    }

    /// Produces `total` records with idempotence (the default), running `faults[i]` just before
    /// record `i` is enqueued, then closes the producer and counts the delivery reports.
    static func produce(_ config: ProducerConfiguration, topic: String, total: Int,
                        faults: [Int: () throws -> Void] = [:]) async throws -> FaultCounts {
        let producer = try KafkaProducer(configuration: config)
        var counts = FaultCounts()
        for i in 0..<total {
            if let fault = faults[i] { try fault() }
            if i % 20_000 == 0 { progress("\(topic): enqueued \(i)") }
            do {
                try await producer.enqueue(topic: topic, key: key(i), value: value(i))
                counts.sent += 1
            } catch {
                counts.failed += 1
                if counts.firstFailures.count < 3 { counts.firstFailures.append("enqueue: \(error)") }
            }
        }
        progress("\(topic): closing the producer")
        await producer.close()
        progress("\(topic): closed")
        for await report in producer.deliveryReports {
            switch report.result {
            case .success: counts.acked += 1
            case let .failure(error):
                counts.failed += 1
                if counts.firstFailures.count < 3 { counts.firstFailures.append("\(error)") }
            }
        }
        return counts
    }

    /// Reads every partition from the start to its log end (by assignment, without faults) and
    /// fills in what was consumed, lost, duplicated and out of order per partition.
    static func verify(_ client: ClientConfiguration, topic: String, partitions: Int, total: Int,
                       into counts: inout FaultCounts) async throws {
        let tps = (0..<partitions).map { TopicPartition(topic, Int32($0)) }
        let cluster = KafkaCluster(configuration: client)
        let ends = try await cluster.highWatermarks(tps)
        await cluster.close()
        var settings = ConsumerConfiguration(client: client)
        settings.fetchMaxWaitMs = 100
        let consumer = KafkaConsumer(configuration: settings)
        try await consumer.assign(Dictionary(uniqueKeysWithValues: tps.map { ($0, StartPosition.earliest) }))
        let expected = ends.values.reduce(0) { $0 + Int($1) }
        let reader = Task { () -> [(Int32, Int)] in
            var seen: [(Int32, Int)] = []
            seen.reserveCapacity(expected)
            var positions: [Int32: Int64] = [:]
            do {
                for try await record in consumer.records {
                    seen.append((record.partition, Int(String(decoding: record.value ?? [], as: UTF8.self)) ?? -1))
                    positions[record.partition] = record.offset + 1
                    if tps.allSatisfy({ positions[$0.partition, default: 0] >= ends[$0] ?? 0 }) { break }
                }
            } catch {}
            return seen
        }
        let watchdog = Task {
            try await Task.sleep(nanoseconds: 180_000_000_000)
            await consumer.close()
        }
        let seen = await reader.value
        progress("\(topic): verified \(seen.count) records")
        watchdog.cancel()
        await consumer.close()
        var distinct = Set<Int>()
        var last: [Int32: Int] = [:]
        for (partition, value) in seen {
            if !distinct.insert(value).inserted { counts.duplicated += 1; continue }
            if let previous = last[partition], previous > value {
                counts.outOfOrder += 1
                if counts.firstFailures.count < 6 { counts.firstFailures.append("p\(partition): \(value) after \(previous)") }
            }
            last[partition] = value
        }
        counts.consumed = seen.count
        counts.lost = (0..<total).filter { !distinct.contains($0) }.count
    }

    /// Progress on stderr (unbuffered), so a stuck scenario shows where it stopped.
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data("[fault] \(line)\n".utf8))
    }

    /// Asserts the scenario's promise: everything acknowledged, nothing lost, duplicated or reordered.
    /// With several batches in flight, order under faults is the broker's to keep: a Kafka
    /// broker refuses a batch whose predecessor it did not append (OUT_OF_ORDER_SEQUENCE_NUMBER).
    /// librdkafka's mock checks sequences only for transactional producers, so there a batch
    /// behind a refused one can land first; `assertOrder: false` records such
    /// inversions (printed) without failing.
    /// `allowedDuplicates` is for brokers that do not deduplicate retried batches themselves
    /// (see the broker-down scenario); everywhere else it stays 0.
    static func expectExactlyOnceInOrder(_ counts: FaultCounts, total: Int, _ scenario: String, assertOrder: Bool = true,
                                         allowedDuplicates: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) {
        print("fault scenario \(scenario): \(counts)")
        #expect(counts.sent == total, "\(scenario): \(counts)", sourceLocation: sourceLocation)
        #expect(counts.acked == total, "\(scenario): \(counts)", sourceLocation: sourceLocation)
        #expect(counts.failed == 0, "\(scenario): \(counts)", sourceLocation: sourceLocation)
        #expect(counts.lost == 0, "\(scenario): \(counts)", sourceLocation: sourceLocation)
        #expect(counts.duplicated <= allowedDuplicates, "\(scenario): \(counts)", sourceLocation: sourceLocation)
        if assertOrder { #expect(counts.outOfOrder == 0, "\(scenario): \(counts)", sourceLocation: sourceLocation) }
    }
}
