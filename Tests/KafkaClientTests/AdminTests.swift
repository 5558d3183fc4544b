import Foundation
import KafkaClient
import KafkaProtocol
import Testing

@Suite struct AdminTests {
    @Test func listsDescribesAndDeletesTopics() async throws {
        let broker = try await TansuBroker.shared()
        let admin = KafkaAdminClient(configuration: broker.configuration)
        defer { Task { await admin.cluster.close() } }
        let name = TansuBroker.uniqueTopic("admin-list")
        try await admin.createTopic(.init(name: name, partitions: 4))
        let listed = try await admin.listTopics()
        #expect(listed.contains { $0.name == name && $0.partitions.count == 4 })
        let described = try await admin.describeTopic(name)
        #expect(described.partitions.map(\.partition) == [0, 1, 2, 3])
        #expect(described.partitions.allSatisfy { $0.leader >= 0 })
        let deleted = try await admin.deleteTopics([name])
        #expect(deleted[name] == KafkaErrorCode.none)
        let after = try await admin.listTopics()
        #expect(!after.contains { $0.name == name })
    }

    @Test func topicConfigsAreDescribed() async throws {
        let broker = try await TansuBroker.shared()
        let admin = KafkaAdminClient(configuration: broker.configuration)
        defer { Task { await admin.cluster.close() } }
        let name = TansuBroker.uniqueTopic("admin-config")
        try await admin.createTopic(.init(name: name, partitions: 1, configs: ["retention.ms": "3600000"]))
        let configs = try await admin.describeConfigs(.topic(name))
        let retention = configs.first { $0.name == "retention.ms" }
        #expect(retention?.value == "3600000", "\(configs)")
    }

    @Test func logEndOffsetsCountEveryRecordNotEveryBatch() async throws {
        let broker = try await TansuBroker.shared()
        let admin = KafkaAdminClient(configuration: broker.configuration)
        defer { Task { await admin.cluster.close() } }
        let name = TansuBroker.uniqueTopic("admin-end")
        try await admin.createTopic(.init(name: name, partitions: 1))
        // Three batches of five records each, written by librdkafka: the end is 15, not 11.
        try PythonPeer.run("admin_seed.py", [broker.brokers, name, "3", "5"])
        let tp = TopicPartition(topic: name, partition: 0)
        let ends = try await admin.logEndOffsets([tp])
        #expect(ends[tp] == 15)
        let earliest = try await admin.listOffsets([tp], spec: .earliest)
        #expect(earliest[tp] == 0)
    }

    @Test func unknownTopicIsATypedError() async throws {
        let broker = try await TansuBroker.shared()
        let admin = KafkaAdminClient(configuration: broker.configuration)
        defer { Task { await admin.cluster.close() } }
        await #expect(throws: KafkaClientError.self) {
            _ = try await admin.describeTopic(TansuBroker.uniqueTopic("missing"))
        }
    }
}

/// Runs a peer script from `scripts/interop/` with python3; a missing interpreter or package
/// is a failure with its message, never a skip.
enum PythonPeer {
    @discardableResult
    static func run(_ script: String, _ arguments: [String]) throws -> String {
        let path = TansuBroker.packageRoot.appendingPathComponent("scripts/interop/\(script)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrokerStartError("python3 \(script) failed (\(process.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

@Suite struct AdminGroupTests {
    @Test func groupLagComparesCommittedOffsetsWithTheLogEnd() async throws {
        let broker = try await TansuBroker.shared()
        let admin = KafkaAdminClient(configuration: broker.configuration)
        defer { Task { await admin.cluster.close() } }
        let topic = TansuBroker.uniqueTopic("lag")
        let group = TansuBroker.uniqueTopic("lag-group")
        try await admin.createTopic(.init(name: topic, partitions: 1))
        // librdkafka writes 10 records, a librdkafka group member commits after the first 4.
        try PythonPeer.run("admin_seed.py", [broker.brokers, topic, "2", "5"])
        let committed = try PythonPeer.run("group_commit.py", [broker.brokers, topic, group, "4"])
        #expect(committed.contains("\"0\": 4"), "\(committed)")

        let groups = try await admin.listGroups()
        #expect(groups.contains { $0.groupId == group })
        let offsets = try await admin.committedOffsets(group: group)
        #expect(offsets[TopicPartition(topic: topic, partition: 0)] == 4)
        let lag = try await admin.groupLag(group)
        let row = try #require(lag.first { $0.partition == TopicPartition(topic: topic, partition: 0) })
        #expect(row.committedOffset == 4)
        #expect(row.logEndOffset == 10)
        #expect(row.lag == 6)
    }
}
