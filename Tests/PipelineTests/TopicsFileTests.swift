import Testing
@testable import PipelineConfig

@Suite("Topics file")
struct TopicsFileTests {
    static let pipelineTopics = ["repos.ingested", "code.mined", "code.analyzed", "graph.apply"]

    @Test(arguments: [("config/topics.yaml", Int16(1)), ("config/topics.prod.yaml", Int16(3))])
    func shippedFilesParse(_ path: String, _ replication: Int16) throws {
        let specs = try TopicsFile.load(path: Paths.inPackage(path))
        #expect(specs.map(\.name) == Self.pipelineTopics.flatMap { [$0, $0 + ".dlq"] })
        for spec in specs {
            #expect(spec.replicationFactor == replication)
            #expect(spec.partitions == (spec.name.hasSuffix(".dlq") ? 1 : 6))
            #expect(spec.configs["cleanup.policy"] == "delete")
            #expect(spec.configs["retention.ms"].flatMap(Int.init) != nil)
        }
    }

    @Test func fullExample() throws {
        let text = """
            # comment
            topics:
            - name: a.b   # inline comment
              partitions: 3
              replication_factor: 1
              configs:
                retention.ms: "1000"
                cleanup.policy: 'compact,delete'
                message.timestamp.type: CreateTime
            - name: "quoted-name_1"
              partitions: 1
              replication_factor: 2
              configs: {}
            """
        #expect(try TopicsFile.parse(text) == [
            TopicSpec(name: "a.b", partitions: 3, replicationFactor: 1,
                      configs: ["retention.ms": "1000", "cleanup.policy": "compact,delete", "message.timestamp.type": "CreateTime"]),
            TopicSpec(name: "quoted-name_1", partitions: 1, replicationFactor: 2),
        ])
    }

    @Test func crlfAndNoConfigs() throws {
        let text = "topics:\r\n  - name: t\r\n    partitions: 1\r\n    replication_factor: 1\r\n"
        #expect(try TopicsFile.parse(text) == [TopicSpec(name: "t", partitions: 1, replicationFactor: 1)])
    }

    static let good = """
        topics:
          - name: t
            partitions: 1
            replication_factor: 1
        """

    @Test(arguments: [
        ("topics:\n  - name: t\n    partitions: 1\n    replication_factor: 1\n    partitons: 2\n", 5, "unknown key \"partitons\""),
        ("topic:\n  - name: t\n", 1, "unknown key \"topic\""),
        ("topics:\n  - name: t\n    replication_factor: 1\n", 2, "a topic is missing \"partitions\""),
        ("topics:\n  - name: t\n    partitions: 0\n    replication_factor: 1\n", 3, "partitions must be an integer >= 1"),
        ("topics:\n  - name: t\n    partitions: six\n    replication_factor: 1\n", 3, "partitions must be an integer >= 1"),
        ("topics:\n  - name: t\n    partitions: 1\n    replication_factor: 99999\n", 4, "replication_factor must be an integer >= 1"),
        ("topics:\n  - name: bad/name\n    partitions: 1\n    replication_factor: 1\n", 2, "invalid topic name"),
        (good + "\n  - name: t\n    partitions: 2\n    replication_factor: 1\n", 5, "topic \"t\" is already defined on line 2"),
        ("topics:\n  - name: t\n    partitions: 1\n    partitions: 2\n", 4, "duplicate key \"partitions\""),
        ("topics:\n\t- name: t\n", 2, "tab in indentation"),
        ("topics:\n  - name: t\n    partitions: [1]\n", 3, "unsupported YAML syntax"),
        ("topics:\n  - name: t\n    partitions: 1\n      replication_factor: 1\n", 4, "unexpected indentation"),
        ("topics:\n  - name: \"t\n", 2, "unterminated quoted string"),
        ("topics: many\n", 1, "\"topics\" must be a list"),
        ("topics:\n  - name: t\n    partitions: 1\n    replication_factor: 1\n    configs:\n      - a\n", 6, "\"configs\" must be a mapping"),
        ("topics:\n  - just-a-string\n", 2, "a topic must be a mapping"),
    ])
    func rejectsWithLine(_ text: String, _ line: Int, _ message: String) {
        do {
            let specs = try TopicsFile.parse(text)
            Issue.record("accepted: \(specs)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }
}
