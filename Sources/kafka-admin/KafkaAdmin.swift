import ArgumentParser

@main
struct KafkaAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-admin",
        abstract: "Manage and debug Kafka: topics, groups and lag; decode captured frames; record traffic between peers.",
        discussion: """
        Brokers come from -b host:port or $KAFKA_BROKERS. Every verb has --help with examples.

        Examples:
          kafka-admin topic list -b 127.0.0.1:9092
          kafka-admin consume orders -o start -e -f '%k=%s\\n'
          kafka-admin group describe analyzer
        """,
        subcommands: [CreateTopicsCommand.self, TopicCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupCommand.self, DecodeCommand.self, RecordCommand.self]
    )
}
