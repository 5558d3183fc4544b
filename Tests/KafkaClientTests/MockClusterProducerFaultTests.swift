import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// The idempotent producer against librdkafka's mock cluster (3 brokers) while it fails: errors
/// injected into Produce, brokers taken down and brought back, leaders moved. 100,000 keyed records each; the promise is 0 lost,
/// 0 duplicated, order kept per partition.
@Suite(.serialized) struct MockClusterProducerFaultTests {
    // FAULT_RECORDS scales a run down while investigating; the suite runs 100,000.
    static let total = Int(ProcessInfo.processInfo.environment["FAULT_RECORDS"] ?? "") ?? 100_000
    static let partitions = 6
    static let produceKey: Int16 = 0

    /// Record number `thousands` × 1,000 of a 100,000 run, scaled to `total`.
    static func at(_ thousands: Int) -> Int { total * thousands / 100 }

    func start(_ prefix: String) throws -> (MockCluster, String) {
        let mock = try MockCluster(brokers: 3)
        let topic = TansuBroker.uniqueTopic(prefix)
        try mock.createTopic(topic, partitions: Self.partitions)
        return (mock, topic)
    }

    /// A buffer of ~4,000 records, so that enqueueing keeps pace with acknowledgments and the
    /// faults fire while records are in flight rather than before anything was sent.
    func producerConfiguration(_ client: ClientConfiguration, maxInFlight: Int = 5) -> ProducerConfiguration {
        var config = FaultHarness.producerConfiguration(client)
        config.maxInFlightPerPartition = maxInFlight
        config.batchSizeBytes = 16 * 1024
        config.bufferMemoryBytes = 128 * 1024
        return config
    }

    @Test(arguments: [1, 5])
    func retriableAndSequenceErrorsOnProduceLoseNothing(maxInFlight: Int) async throws {
        let (mock, topic) = try start("fault-produce-errors")
        defer { mock.stop() }
        let client = try mock.configuration
        // What the issues list: leadership and timeouts, a network exception (which librdkafka
        // 2.16 turns into lost records here), a sequence the broker did not expect, and a
        // producer id the broker forgot (epoch bump).
        let faults: [Int: () throws -> Void] = [
            Self.at(10): { try mock.pushErrors(apiKey: Self.produceKey, [.notLeaderOrFollower, .notLeaderOrFollower, .notLeaderOrFollower, .notLeaderOrFollower]) },
            Self.at(25): { try mock.pushErrors(apiKey: Self.produceKey, [.requestTimedOut, .requestTimedOut, .requestTimedOut]) },
            Self.at(40): { try mock.pushErrors(apiKey: Self.produceKey, [.networkException, .networkException]) },
            Self.at(55): { try mock.pushErrors(apiKey: Self.produceKey, [.outOfOrderSequenceNumber]) },
            Self.at(70): { try mock.pushErrors(apiKey: Self.produceKey, [.unknownProducerId]) },
            Self.at(85): { try mock.pushErrors(apiKey: Self.produceKey, [.networkException, .requestTimedOut, .notLeaderOrFollower, .outOfOrderSequenceNumber]) },
        ]
        var counts = try await FaultHarness.produce(producerConfiguration(client, maxInFlight: maxInFlight), topic: topic,
                                                    total: Self.total, faults: faults)
        try await FaultHarness.verify(client, topic: topic, partitions: Self.partitions, total: Self.total, into: &counts)
        FaultHarness.expectExactlyOnceInOrder(counts, total: Self.total, "Produce errors (6×4, 7×3, 13×2, 45, 59, 13/7/6/45), \(maxInFlight) in flight",
                                              assertOrder: maxInFlight == 1)
    }

    @Test(arguments: [1, 5])
    func brokersDownAndUpAndLeadersMovedLoseNothing(maxInFlight: Int) async throws {
        let (mock, topic) = try start("fault-brokers")
        defer { mock.stop() }
        let client = try mock.configuration
        // A broker comes back after a second of downtime, whatever the producer did meanwhile:
        // records led by it may fill the buffer, so its return cannot wait for more sends.
        let downtime = Task<Void, any Error>.self
        let faults: [Int: () throws -> Void] = [
            Self.at(15): {
                try mock.setDown(2)
                _ = downtime.init {
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    try mock.setUp(2)
                }
            },
            Self.at(45): {
                for p in 0..<Self.partitions { try mock.moveLeader(topic: topic, partition: Int32(p), to: Int32(p % 3 + 1)) }
            },
            Self.at(60): {
                try mock.setDown(3)
                _ = downtime.init {
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    try mock.setUp(3)
                    for p in 0..<Self.partitions { try mock.moveLeader(topic: topic, partition: Int32(p), to: Int32((p + 1) % 3 + 1)) }
                }
            },
        ]
        var counts = try await FaultHarness.produce(producerConfiguration(client, maxInFlight: maxInFlight), topic: topic,
                                                    total: Self.total, faults: faults)
        try await FaultHarness.verify(client, topic: topic, partitions: Self.partitions, total: Self.total, into: &counts)
        // A broker taken down between appending a batch and sending its answer loses the
        // answer; the producer retries with the same sequence, and a Kafka broker (or Tansu, in
        // ProducerConnectionCutTests) drops the copy. This mock checks sequences for
        // transactional producers only (rd_kafka_mock_validate_records), so it appends the copy
        // again: rarely, under load (once in about 15 runs beside other suites). What it can add
        // is bounded by the batches in flight to the downed broker: 2 outages × at most every
        // partition × the batches in flight × a full batch (16 KiB of records of at least 24
        // bytes). A producer that re-sent acknowledged batches would go past it.
        let perBatch = producerConfiguration(client, maxInFlight: maxInFlight).batchSizeBytes / 24
        FaultHarness.expectExactlyOnceInOrder(counts, total: Self.total, "brokers down/up, leaders moved, \(maxInFlight) in flight",
                                              assertOrder: maxInFlight == 1,
                                              allowedDuplicates: 2 * Self.partitions * maxInFlight * perBatch)
    }
}
