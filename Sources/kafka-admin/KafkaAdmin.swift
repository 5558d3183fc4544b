import ArgumentParser

@main
struct KafkaAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-admin",
        abstract: "Manage and debug Kafka: decode captured frames, record traffic between peers.",
        subcommands: [DecodeCommand.self, RecordCommand.self]
    )
}
