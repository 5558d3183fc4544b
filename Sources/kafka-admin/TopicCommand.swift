import ArgumentParser
import KafkaClient
import KafkaProtocol

struct TopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic",
        abstract: "Create, list, describe and delete topics.",
        discussion: "Examples:\n  kafka-admin topic create orders -p 6\n  kafka-admin topic describe orders",
        subcommands: [Create.self, List.self, Describe.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create topics.",
            discussion: """
            Examples:
              kafka-admin topic create orders -p 6 -r 1 -c retention.ms=604800000
              kafka-admin topic create a b c --if-not-exists
            """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic names.") var topics: [String]
        @Option(name: .shortAndLong, help: "Partitions.") var partitions: Int32 = 1
        @Option(name: [.customShort("r"), .long], help: "Replication factor.") var replicas: Int16 = 1
        @Option(name: [.customShort("c"), .customLong("config")], help: "Topic config key=value (repeatable).") var configs: [String] = []
        @Flag(name: .customLong("if-not-exists"), help: "An existing topic is not an error.") var ifNotExists = false

        func run() async throws {
            var parsed: [String: String] = [:]
            for entry in configs {
                guard let eq = entry.firstIndex(of: "=") else { throw ValidationError("-c \(entry): expected key=value") }
                parsed[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            let results = try await admin.createTopics(topics.map {
                .init(name: $0, partitions: partitions, replicationFactor: replicas, configs: parsed)
            })
            var table = TextTable("TOPIC", "STATUS")
            var failed = false
            for topic in topics {
                switch results[topic] {
                case .created?: table.add(topic, "OK")
                case .alreadyExists?:
                    table.add(topic, ifNotExists ? "OK (already exists)" : "TOPIC_ALREADY_EXISTS")
                    failed = failed || !ifNotExists
                case let .failed(code, message)?:
                    table.add(topic, "\(code.name)\(message.map { ": \($0)" } ?? "")")
                    failed = true
                case nil:
                    table.add(topic, "no result")
                    failed = true
                }
            }
            print(table.render())
            if failed { throw ExitCode.failure }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List topics with partition and replica counts.",
            discussion: "Examples:\n  kafka-admin topic list\n  kafka-admin topic list --internal -b broker:9092"
        )
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("internal"), help: "Include internal topics.") var includeInternal = false

        func run() async throws {
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            var table = TextTable("NAME", "PARTITIONS", "REPLICAS")
            for topic in try await admin.listTopics(includeInternal: includeInternal) {
                table.add(topic.name, String(topic.partitions.count), String(topic.partitions.first?.replicas.count ?? 0))
            }
            print(table.render())
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a topic's partitions (leader, replicas, ISR, log end) and configs.",
            discussion: "Example:\n  kafka-admin topic describe orders"
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic name.") var topic: String

        func run() async throws {
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            let info = try await admin.describeTopic(topic)
            let partitions = info.partitions.map { TopicPartition(topic: topic, partition: $0.partition) }
            let ends = try await admin.logEndOffsets(partitions)
            print("NAME        \(info.name)")
            print("TOPIC ID    \(info.topicId)")
            print("PARTITIONS  \(info.partitions.count)")
            print("")
            var table = TextTable("PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "LOG-END")
            for p in info.partitions {
                let end = ends[TopicPartition(topic: topic, partition: p.partition)].map(String.init) ?? "-"
                table.add(String(p.partition), String(p.leader), String(p.leaderEpoch),
                          p.replicas.map(String.init).joined(separator: ","), p.isr.map(String.init).joined(separator: ","), end)
            }
            print(table.render())
            if let configs = try? await admin.describeConfigs(.topic(topic)), !configs.isEmpty {
                print("")
                var configTable = TextTable("KEY", "VALUE", "SOURCE")
                for entry in configs.sorted(by: { $0.name < $1.name }) {
                    configTable.add(entry.name, entry.isSensitive ? "(sensitive)" : (entry.value ?? "(null)"), entry.isDefault ? "default" : "topic")
                }
                print(configTable.render())
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete topics.", discussion: "Example:\n  kafka-admin topic delete orders")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic names.") var topics: [String]

        func run() async throws {
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            let results = try await admin.deleteTopics(topics)
            var table = TextTable("TOPIC", "STATUS")
            var failed = false
            for topic in topics {
                let code = results[topic] ?? .unknownServerError
                table.add(topic, code == KafkaErrorCode.none ? "OK" : code.name)
                failed = failed || code != KafkaErrorCode.none
            }
            print(table.render())
            if failed { throw ExitCode.failure }
        }
    }
}
