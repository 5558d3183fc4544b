import Foundation
import Testing

/// kafka-admin's cluster verbs as a user runs them, against the shared Tansu broker.
@Suite struct KafkaAdminCLITests {
    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let path = ProcessInfo.processInfo.environment["KAFKA_ADMIN_BIN"]
            ?? TansuBroker.packageRoot.appendingPathComponent(".build/debug/kafka-admin").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BrokerStartError("kafka-admin not built at \(path): run `swift build` (make test does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let inPipe = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = inPipe
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func topicProduceConsumeRoundTrip() async throws {
        let broker = try await TansuBroker.shared()
        let topic = TansuBroker.uniqueTopic("cli")
        let b = ["-b", broker.brokers]
        let created = try Self.run(["topic", "create", topic, "-p", "2", "-c", "retention.ms=60000"] + b)
        #expect(created.status == 0, "\(created.err)")
        let again = try Self.run(["topic", "create", topic] + b)
        #expect(again.status != 0)
        #expect(again.out.contains("TOPIC_ALREADY_EXISTS"))
        let listed = try Self.run(["topic", "list"] + b)
        #expect(listed.out.contains(topic))

        let produced = try Self.run(["produce", topic, "-K", ":", "-H", "src=cli", "-z", "gzip"] + b,
                                    input: "k1:v1\nk2:v2\nk3:v3\n")
        #expect(produced.status == 0, "\(produced.err)")
        let consumed = try Self.run(["consume", topic, "-o", "start", "-e", "-f", "json"] + b)
        #expect(consumed.status == 0, "\(consumed.err)")
        let lines = consumed.out.split(separator: "\n")
        #expect(lines.count == 3)
        for (key, value) in [("k1", "v1"), ("k2", "v2"), ("k3", "v3")] {
            #expect(lines.contains { $0.contains("\"key\": \"\(key)\"") && $0.contains("\"value\": \"\(value)\"") && $0.contains("\"src\": \"cli\"") })
        }
        let described = try Self.run(["topic", "describe", topic] + b)
        #expect(described.out.contains("LOG-END"))
        let deleted = try Self.run(["topic", "delete", topic] + b)
        #expect(deleted.status == 0, "\(deleted.err)")
    }

    @Test func createTopicsFromTheProjectFileIsIdempotent() async throws {
        let broker = try await TansuBroker.shared()
        let file = TansuBroker.packageRoot.appendingPathComponent("config/topics.yaml").path
        let first = try Self.run(["create-topics", "--file", file, "-b", broker.brokers])
        #expect(first.status == 0, "\(first.out)\(first.err)")
        for topic in ["repos.ingested", "code.mined", "code.analyzed", "graph.apply", "code.mined.dlq"] {
            #expect(first.out.contains(topic), "\(first.out)")
        }
        let second = try Self.run(["create-topics", "--file", file, "-b", broker.brokers])
        #expect(second.status == 0, "\(second.err)")
        #expect(!second.out.contains("created"), "\(second.out)")
        #expect(second.out.contains("exists"))

        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-topics-\(UUID()).yaml")
        try Data("topics:\n  - name: x\n    partitons: 3\n".utf8).write(to: bad)
        let rejected = try Self.run(["create-topics", "--file", bad.path, "-b", broker.brokers])
        #expect(rejected.status != 0)
        #expect(rejected.err.contains("line"), "\(rejected.err)")
    }

    @Test func unreachableBrokerFailsWithTheCause() throws {
        let port = try TansuBroker.freeLoopbackPort()
        let result = try Self.run(["topic", "list", "-b", "127.0.0.1:\(port)"])
        #expect(result.status != 0)
        #expect(result.err.contains("refused"), "\(result.err)")
    }
}
