import ArgumentParser
import KafkaClient
import KafkaProtocol
import PipelineConfig

struct CreateTopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-topics",
        abstract: "Create the topics a topics file declares; idempotent.",
        discussion: """
        Each topic is reported as created, already existing (with any config that differs from
        the file) or failed. Exits non-zero only when a topic failed.

        Example:
          kafka-admin create-topics --file config/topics.yaml
        """
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .long, help: "The topics file (see config/topics.yaml).") var file: String

    func run() async throws {
        let specs: [TopicSpec]
        do {
            specs = try TopicsFile.load(path: file)
        } catch {
            throw CommandFailure("\(file): \(error)")
        }
        let admin = KafkaAdminClient(configuration: try connection.configuration())
        defer { Task { await admin.cluster.close() } }
        let results = try await admin.createTopics(specs.map {
            .init(name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor, configs: $0.configs)
        })
        var table = TextTable("TOPIC", "STATUS", "DETAIL")
        var failed = false
        for spec in specs {
            switch results[spec.name] {
            case .created?:
                table.add(spec.name, "created", "\(spec.partitions) partitions")
            case .alreadyExists?:
                table.add(spec.name, "exists", await differences(spec, admin: admin))
            case let .failed(code, message)?:
                table.add(spec.name, "FAILED", "\(code.name)\(message.map { ": \($0)" } ?? "")")
                failed = true
            case nil:
                table.add(spec.name, "FAILED", "no result")
                failed = true
            }
        }
        print(table.render())
        if failed { throw ExitCode.failure }
    }

    /// What an existing topic has that the file does not say (partitions, configs).
    func differences(_ spec: TopicSpec, admin: KafkaAdminClient) async -> String {
        var notes: [String] = []
        if let info = try? await admin.describeTopic(spec.name), info.partitions.count != Int(spec.partitions) {
            notes.append("partitions \(info.partitions.count) (file: \(spec.partitions))")
        }
        if let configs = try? await admin.describeConfigs(.topic(spec.name), keys: Array(spec.configs.keys)) {
            for (key, wanted) in spec.configs.sorted(by: { $0.key < $1.key }) {
                let actual = configs.first { $0.name == key }?.value
                if actual != wanted { notes.append("\(key)=\(actual ?? "unset") (file: \(wanted))") }
            }
        }
        return notes.isEmpty ? "matches the file" : notes.joined(separator: "; ")
    }
}
