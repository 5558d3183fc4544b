import ArgumentParser
import KafkaClient
import KafkaProtocol

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "List consumer groups, show their lag, move their offsets, delete them.",
        discussion: "Examples:\n  kafka-admin group list\n  kafka-admin group describe analyzer\n  kafka-admin group seek analyzer --to start",
        subcommands: [List.self, Describe.self, Seek.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List consumer groups.",
            discussion: "Example:\n  kafka-admin group list -b 127.0.0.1:9092"
        )
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            var table = TextTable("GROUP", "STATE", "PROTOCOL-TYPE")
            for group in try await admin.listGroups() {
                table.add(group.groupId, group.state, group.protocolType)
            }
            print(table.render())
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a group's members and per-partition lag.",
            discussion: """
            Columns as rpk prints them: TOPIC, PARTITION, CURRENT-OFFSET (committed; - when \
            none), LOG-END-OFFSET (the high watermark), LAG, and the MEMBER-ID, CLIENT-ID and \
            HOST of the member that owns the partition (empty when no member does).

            Example:
              kafka-admin group describe analyzer
            """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group id.") var group: String

        func run() async throws {
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            let description = try await admin.describeGroup(group)
            let lag = try await admin.groupLag(group)
            print("GROUP        \(group)")
            print("STATE        \(description.state)")
            print("MEMBERS      \(description.members.count)")
            print("TOTAL-LAG    \(lag.reduce(0) { $0 + $1.lag })")
            print("")
            var table = TextTable("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID", "HOST")
            for row in lag {
                table.add(row.partition.topic, String(row.partition.partition),
                          row.committedOffset >= 0 ? String(row.committedOffset) : "-",
                          String(row.logEndOffset), String(row.lag),
                          row.memberId ?? "", row.clientId ?? "", row.clientHost ?? "")
            }
            print(table.render())
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete consumer groups.",
            discussion: "Example:\n  kafka-admin group delete analyzer old-reporting"
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group ids.") var groups: [String]

        func run() async throws {
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }
            let results = try await admin.deleteGroups(groups)
            var failed = false
            var table = TextTable("GROUP", "STATUS")
            for group in groups {
                let code = results[group] ?? .unknownServerError
                table.add(group, code == KafkaErrorCode.none ? "OK" : code.name)
                failed = failed || code != KafkaErrorCode.none
            }
            print(table.render())
            if failed { throw ExitCode.failure }
        }
    }
}
