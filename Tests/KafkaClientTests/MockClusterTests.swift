import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// Against librdkafka's mock cluster: three brokers, leaders spread, versions beyond ours.
@Suite struct MockClusterTests {
    @Test func bootstrapsDespiteTheApiVersionsV3RejectionAndSeesThreeBrokers() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = TansuBroker.uniqueTopic("mock")
        try mock.createTopic(topic, partitions: 6)
        // The mock picks each partition's leader at random (all six on one broker about one
        // time in 250): place them, so the check below does not depend on the draw.
        for p in 0..<6 { try mock.moveLeader(topic: topic, partition: Int32(p), to: Int32(p % 3 + 1)) }
        let cluster = KafkaCluster(configuration: try mock.configuration)
        let metadata = try await cluster.refreshMetadata(topics: [topic])
        #expect(metadata.brokers.count == 3)
        let partitions = try #require(metadata.topics[topic]).partitions
        #expect(partitions.allSatisfy { $0.leader == $0.partition % 3 + 1 }, "leaders: \(partitions.map { ($0.partition, $0.leader) })")
        // The mock offers Metadata v13; we must have settled on a version we know.
        let session = try await cluster.anySession()
        #expect(session.versions.version(for: 3) == MetadataRequest.validVersions.highest)
        await cluster.close()
    }

    @Test func leaderMovesAreSeenAfterRefresh() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = TansuBroker.uniqueTopic("mock-move")
        try mock.createTopic(topic, partitions: 1)
        let cluster = KafkaCluster(configuration: try mock.configuration)
        let before = try #require(try await cluster.refreshMetadata(topics: [topic]).leader(topic: topic, partition: 0))
        let target: Int32 = before == 1 ? 2 : 1
        try mock.moveLeader(topic: topic, partition: 0, to: target)
        let after = try await cluster.refreshMetadata(topics: [topic]).leader(topic: topic, partition: 0)
        #expect(after == target)
        let session = try await cluster.leaderSession(topic: topic, partition: 0)
        #expect(session.nodeId == target)
        await cluster.close()
    }

    @Test func metadataIsRefreshedInTheBackgroundOnItsMaximumAge() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = TansuBroker.uniqueTopic("mock-age")
        try mock.createTopic(topic, partitions: 1)
        var config = try mock.configuration
        config.metadataMaxAgeMs = 200
        let cluster = KafkaCluster(configuration: config)
        let before = try #require(try await cluster.topicMetadata(topic).partitions.first?.leader)
        let target: Int32 = before == 1 ? 2 : 1
        try mock.moveLeader(topic: topic, partition: 0, to: target)
        // Nobody asks: the cluster's own refresher must notice the move.
        let deadline = Date().addingTimeInterval(30)
        while await cluster.metadata.leader(topic: topic, partition: 0) != target && Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(await cluster.metadata.leader(topic: topic, partition: 0) == target)
        #expect(await cluster.metadataRefreshCount >= 2)
        await cluster.close()
    }

    @Test func aBrokenConnectionRefreshesMetadataAtOnce() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = TansuBroker.uniqueTopic("mock-broken")
        try mock.createTopic(topic, partitions: 1)
        var config = try mock.configuration
        config.metadataMaxAgeMs = 600_000  // only the failure can explain a refresh
        let cluster = KafkaCluster(configuration: config)
        _ = try await cluster.topicMetadata(topic)
        let session = try await cluster.leaderSession(topic: topic, partition: 0)
        let count = await cluster.metadataRefreshCount
        await cluster.sessionFailed(session)
        let deadline = Date().addingTimeInterval(30)
        while await cluster.metadataRefreshCount == count && Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(await cluster.metadataRefreshCount > count)
        await cluster.close()
    }
}
