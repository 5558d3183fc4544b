import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// A record as read back from the broker.
struct FetchedRecord: Equatable, Sendable {
    var offset: Int64
    var timestamp: Int64
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [RecordHeader]
}

enum ProducerTestSupport {
    static func makeTopic(_ broker: TansuBroker, partitions: Int32 = 1, prefix: String = "p") async throws -> String {
        let topic = TansuBroker.uniqueTopic(prefix)
        let admin = KafkaAdminClient(configuration: broker.configuration)
        try await admin.createTopic(.init(name: topic, partitions: partitions))
        await admin.cluster.close()
        return topic
    }

    static func configuration(_ broker: TansuBroker, _ adjust: (inout ProducerConfiguration) -> Void = { _ in }) -> ProducerConfiguration {
        var config = ProducerConfiguration(client: broker.configuration)
        config.deliveryTimeoutMs = 30_000
        adjust(&config)
        return config
    }

    /// Reads `partition` from offset 0 with raw Fetch requests until `count` records arrived.
    static func fetch(_ broker: TansuBroker, topic: String, partition: Int32, count: Int) async throws -> [FetchedRecord] {
        let batches = try await fetchBatches(broker, topic: topic, partition: partition, count: count)
        return batches.flatMap { batch in
            batch.records.map { record in
                FetchedRecord(offset: batch.offset(of: record), timestamp: batch.timestamp(of: record),
                              key: record.key, value: record.value, headers: record.headers)
            }
        }
    }

    /// The batches of `partition` from offset 0 until they hold `count` records.
    static func fetchBatches(_ broker: TansuBroker, topic: String, partition: Int32, count: Int) async throws -> [RecordBatch] {
        let cluster = KafkaCluster(configuration: broker.configuration)
        defer { Task { await cluster.close() } }
        let info = try await cluster.topicMetadata(topic)
        let session = try await cluster.leaderSession(topic: topic, partition: partition)
        var batches: [RecordBatch] = []
        var records = 0
        var offset: Int64 = 0
        var emptyRounds = 0
        while records < count {
            var request = FetchRequest()
            request.replicaId = -1
            request.maxWaitMs = 200
            request.minBytes = 1
            request.maxBytes = 16 << 20
            request.sessionEpoch = -1
            var fetchTopic = FetchRequest.FetchTopic()
            fetchTopic.topic = topic
            fetchTopic.topicId = info.topicId
            var fetchPartition = FetchRequest.FetchPartition()
            fetchPartition.partition = partition
            fetchPartition.fetchOffset = offset
            fetchPartition.currentLeaderEpoch = -1
            fetchPartition.lastFetchedEpoch = -1
            fetchPartition.logStartOffset = -1
            fetchPartition.partitionMaxBytes = 8 << 20
            fetchTopic.partitions = [fetchPartition]
            request.topics = [fetchTopic]
            let (response, _) = try await session.send(request)
            let data = try #require(response.responses.first?.partitions.first)
            #expect(data.errorCode == 0)
            let decoded = try RecordSetDecoder().decode(data.records ?? [])
            var progressed = false
            for batch in decoded.batches where batch.nextOffset > offset {
                // Whole batches only: a batch the broker returns again from its start is skipped.
                guard batch.baseOffset >= offset else { continue }
                batches.append(batch)
                records += batch.records.count
                offset = batch.nextOffset
                progressed = true
            }
            if !progressed {
                emptyRounds += 1
                if emptyRounds > 50 { break }
            }
        }
        return batches
    }
}
