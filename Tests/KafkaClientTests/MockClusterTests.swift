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
        let cluster = KafkaCluster(configuration: try mock.configuration)
        let metadata = try await cluster.refreshMetadata(topics: [topic])
        #expect(metadata.brokers.count == 3)
        let leaders = Set(try #require(metadata.topics[topic]).partitions.map(\.leader))
        #expect(leaders.count > 1, "leaders all on one broker: \(leaders)")
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
}
