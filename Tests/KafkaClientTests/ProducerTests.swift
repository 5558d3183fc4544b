import Foundation
import KafkaClient
import KafkaCompression
import KafkaProtocol
import Testing

@Suite struct ProducerTests {
    @Test func awaitingSendReturnsIncreasingOffsets() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker))
        var offsets: [Int64] = []
        for i in 0..<5 {
            let metadata = try await producer.send(topic: topic, value: "v\(i)")
            #expect(metadata.topic == topic && metadata.partition == 0)
            offsets.append(metadata.offset)
        }
        await producer.close()
        #expect(offsets == Array(offsets[0]..<offsets[0] + 5))
        let fetched = try await ProducerTestSupport.fetch(broker, topic: topic, partition: 0, count: 5)
        #expect(fetched.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == (0..<5).map { "v\($0)" })
    }
}

extension ProducerTests {
    @Test func keyedRecordsLandOnTheMurmur2PartitionAndRoundTrip() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker, partitions: 4)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker))
        var expected: [Int32: [FetchedRecord]] = [:]
        let base: Int64 = 1_700_000_000_000
        for i in 0..<40 {
            let key = Array("key-\(i)".utf8)
            let headers = [RecordHeader(key: "h\(i % 3)", value: Array("hv\(i)".utf8)), RecordHeader(key: "null", value: nil)]
            let value: [UInt8]? = i % 10 == 0 ? nil : Array("value-\(i)".utf8)
            let metadata = try await producer.send(topic: topic, key: key, value: value, headers: headers, timestamp: base + Int64(i))
            #expect(metadata.partition == Partitioner.partition(forKey: key, partitionCount: 4))
            #expect(metadata.timestamp == base + Int64(i))
            expected[metadata.partition, default: []].append(
                FetchedRecord(offset: metadata.offset, timestamp: base + Int64(i), key: key, value: value, headers: headers))
        }
        await producer.close()
        for (partition, records) in expected {
            let fetched = try await ProducerTestSupport.fetch(broker, topic: topic, partition: partition, count: records.count)
            #expect(fetched == records)
        }
    }

    @Test(arguments: CompressionCodec.allCases)
    func everyCodecRoundTrips(codec: CompressionCodec) async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) { $0.compression = codec })
        let values = (0..<300).map { Array("record \($0) compressed with \(codec) ".utf8) + Array(repeating: UInt8($0 % 251), count: $0) }
        for value in values { try await producer.enqueue(topic: topic, key: Array("k".utf8), value: value) }
        await producer.flush()
        await producer.close()
        var reports = 0
        for await report in producer.deliveryReports {
            if case let .failure(error) = report.result { Issue.record("\(error)") }
            reports += 1
        }
        #expect(reports == values.count)
        let fetched = try await ProducerTestSupport.fetch(broker, topic: topic, partition: 0, count: values.count)
        #expect(fetched.map(\.value) == values)
    }

    @Test(arguments: [ProducerConfiguration.Acks.none, .leader])
    func acksZeroAndOneDeliver(acks: ProducerConfiguration.Acks) async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) {
            $0.acks = acks
            $0.idempotence = false
        })
        var last = RecordMetadata(topic: "", partition: -2, offset: -2, timestamp: 0)
        for i in 0..<20 { last = try await producer.send(topic: topic, value: "a\(i)") }
        await producer.close()
        #expect(last.partition == 0)
        if acks == .none { #expect(last.offset == -1) } else { #expect(last.offset >= 19) }
        let fetched = try await ProducerTestSupport.fetch(broker, topic: topic, partition: 0, count: 20)
        #expect(fetched.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == (0..<20).map { "a\($0)" })
    }

    @Test func idempotenceRequiresAcksAll() throws {
        var config = ProducerConfiguration(client: ClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: 1)]))
        config.acks = .leader
        #expect(throws: KafkaClientError.self) { try KafkaProducer(configuration: config) }
    }

    @Test func idempotentBatchesCarryProducerIdAndSequences() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) { $0.lingerMs = 0 })
        for i in 0..<3 { try await producer.send(topic: topic, value: "s\(i)") }
        await producer.close()
        let batches = try await ProducerTestSupport.fetchBatches(broker, topic: topic, partition: 0, count: 3)
        #expect(batches.count == 3)
        #expect(batches.allSatisfy { $0.producerId >= 0 && $0.producerEpoch >= 0 })
        #expect(batches.map(\.baseSequence) == [0, 1, 2])
    }

    @Test func flushAndCloseDeliverEverything() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker, partitions: 3)
        // A long linger: only flush/close can make these go out promptly.
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) { $0.lingerMs = 60_000 })
        for i in 0..<500 { try await producer.enqueue(topic: topic, key: "k\(i)", value: "f\(i)") }
        await producer.flush()
        var counts: [Int32: Int] = [:]
        var seen = 0
        for await report in producer.deliveryReports {
            guard case let .success(metadata) = report.result else { Issue.record("\(report.result)"); break }
            counts[metadata.partition, default: 0] += 1
            seen += 1
            if seen == 500 { break }
        }
        #expect(seen == 500)
        for i in 0..<100 { try await producer.enqueue(topic: topic, key: "k\(i)", value: "c\(i)") }
        await producer.close()
        var afterClose = 0
        for await report in producer.deliveryReports {
            if case .success = report.result { afterClose += 1 }
        }
        #expect(afterClose == 100)
        do {
            try await producer.send(topic: topic, value: "late")
            Issue.record("send after close succeeded")
        } catch let error as KafkaClientError {
            guard case .closed = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func tenThousandEnqueuedRecordsArriveCompleteAndInOrder() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker, partitions: 3)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) { $0.batchSizeBytes = 16 * 1024 })
        var ids: [UInt64] = []
        for i in 0..<10_000 { ids.append(try await producer.enqueue(topic: topic, key: "key-\(i % 97)", value: "\(i)")) }
        await producer.close()
        var lastId: [Int32: UInt64] = [:]
        var lastOffset: [Int32: Int64] = [:]
        var perPartition: [Int32: Int] = [:]
        var count = 0
        for await report in producer.deliveryReports {
            guard case let .success(metadata) = report.result else { Issue.record("\(report.result)"); continue }
            // In enqueue order, and at increasing offsets, within each partition.
            if let previous = lastId[metadata.partition] { #expect(report.id > previous) }
            if let previous = lastOffset[metadata.partition] { #expect(metadata.offset == previous + 1) }
            lastId[metadata.partition] = report.id
            lastOffset[metadata.partition] = metadata.offset
            perPartition[metadata.partition, default: 0] += 1
            count += 1
        }
        #expect(count == 10_000)
        for (partition, n) in perPartition {
            let fetched = try await ProducerTestSupport.fetch(broker, topic: topic, partition: partition, count: n)
            #expect(fetched.count == n)
            let values = fetched.compactMap { $0.value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } }
            #expect(values == values.sorted(), "partition \(partition) out of order")
        }
    }

    @Test func unreachableBrokerFailsWithATypedErrorWithinTheDeliveryTimeout() async throws {
        let port = try TansuBroker.freeLoopbackPort()
        var config = ProducerConfiguration(client: ClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: port)]))
        config.deliveryTimeoutMs = 1_500
        let producer = try KafkaProducer(configuration: config)
        do {
            try await producer.send(topic: "nowhere", value: "x")
            Issue.record("send to an unreachable broker succeeded")
        } catch let error as KafkaClientError {
            #expect(error.description.contains("refused") || error.description.contains("timed out"), "\(error)")
        }
        await producer.close()
    }

    @Test func smallBufferMemoryBackPressureStillDeliversAll() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker, partitions: 2)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) {
            $0.bufferMemoryBytes = 8 * 1024
            $0.batchSizeBytes = 2 * 1024
        })
        // 2,000 records of ~120 B against an 8 KiB buffer: enqueue has to wait for room.
        for i in 0..<2_000 {
            try await producer.enqueue(topic: topic, key: Array("w\(i % 4)".utf8), value: Array(repeating: UInt8(i % 256), count: 100))
        }
        await producer.close()
        var perPartition: [Int32: Int] = [:]
        for await report in producer.deliveryReports {
            guard case let .success(metadata) = report.result else { Issue.record("\(report.result)"); continue }
            perPartition[metadata.partition, default: 0] += 1
        }
        var total = 0
        for (partition, count) in perPartition {
            total += try await ProducerTestSupport.fetch(broker, topic: topic, partition: partition, count: count).count
        }
        #expect(total == 2_000)
    }
}
