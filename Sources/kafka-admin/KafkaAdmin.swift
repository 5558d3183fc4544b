import ArgumentParser

@main
struct KafkaAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-admin",
        abstract: "Manage and debug Kafka: topics, groups and lag; decode captured frames; record traffic between peers.",
        subcommands: [CreateTopicsCommand.self, TopicCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupCommand.self, DecodeCommand.self, RecordCommand.self]
    )
}
