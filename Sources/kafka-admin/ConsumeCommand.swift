import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of a topic, one per line.",
        discussion: """
        Without -g the partitions are assigned directly; with -g the group's committed offsets \
        are used and the group is joined.

        -f takes value, kv, json, or a kcat-style format string printed as written: \
        \(RecordFormat.tokenHelp).

        Examples:
          kafka-admin consume orders -o start -e          # everything, then exit
          kafka-admin consume orders -o -10 -e -f json    # the last 10 per partition
          kafka-admin consume orders -o start -e -f '%t[%p]@%o %k=%s (%T) %h\\n'
          kafka-admin consume orders -g reporting -n 100
        """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic.") var topic: String
    @Option(name: .customShort("o"), parsing: .unconditional, help: "Start: start, end, an offset N, or -N for the last N.") var offset: String = "end"
    @Option(name: .customShort("n"), help: "Exit after this many records.") var count: Int?
    @Flag(name: .customShort("e"), help: "Exit at the end of the partitions (no group).") var exitAtEnd = false
    @Option(name: .customShort("g"), help: "Consumer group.") var group: String?
    @Option(name: .customShort("f"), help: "Output: value (default), kv, json, or a format string ('%k=%s\\n').") var format: String = "value"

    func run() async throws {
        let output: RecordFormat
        do { output = try RecordFormat(parsing: format) } catch { throw ValidationError(error.description) }
        if exitAtEnd && group != nil { throw ValidationError("-e works with direct assignment only (drop -g)") }
        var config = ConsumerConfiguration(client: try connection.configuration(), groupId: group)
        config.autoOffsetReset = offset == "start" ? .earliest : .latest
        let consumer = KafkaConsumer(configuration: config)
        let cluster = KafkaCluster(configuration: config.client)
        defer { Task { await cluster.close() } }
        let info = try await cluster.topicMetadata(topic)
        let partitions = info.partitions.map { TopicPartition(topic: topic, partition: $0.partition) }
        var ends: [TopicPartition: Int64] = [:]
        if group != nil {
            try await consumer.subscribe(topics: [topic])
        } else {
            ends = try await cluster.highWatermarks(partitions)
            let starts = try await startPositions(partitions, ends: ends, cluster: cluster)
            try await consumer.assign(starts)
        }
        var remaining = exitAtEnd ? Dictionary(uniqueKeysWithValues: partitions.map { tp in
            (tp, ends[tp] ?? 0)
        }).filter { tp, end in (consumer.position(tp) ?? 0) < end } : [:]
        var printed = 0
        if exitAtEnd && remaining.isEmpty || count == 0 {
            await consumer.close()
            return
        }
        do {
            for try await record in consumer.records {
                print(output.render(record), terminator: "")
                printed += 1
                if let count, printed >= count { break }
                if exitAtEnd {
                    let tp = TopicPartition(topic: record.topic, partition: record.partition)
                    if let end = remaining[tp], record.offset + 1 >= end { remaining[tp] = nil }
                    if remaining.isEmpty { break }
                }
            }
        } catch {
            await consumer.close()
            throw CommandFailure("\(error)")
        }
        await consumer.close()
    }

    func startPositions(_ partitions: [TopicPartition], ends: [TopicPartition: Int64], cluster: KafkaCluster) async throws -> [TopicPartition: StartPosition] {
        switch offset {
        case "start", "beginning", "earliest": return Dictionary(uniqueKeysWithValues: partitions.map { ($0, .earliest) })
        case "end", "latest": return Dictionary(uniqueKeysWithValues: partitions.map { ($0, .offset(ends[$0] ?? 0)) })
        default:
            guard let n = Int64(offset) else { throw ValidationError("-o \(offset): expected start, end, N or -N") }
            if n >= 0 { return Dictionary(uniqueKeysWithValues: partitions.map { ($0, .offset(n)) }) }
            let earliest = try await cluster.earliestOffsets(partitions)
            return Dictionary(uniqueKeysWithValues: partitions.map { tp in
                (tp, .offset(max(earliest[tp] ?? 0, (ends[tp] ?? 0) + n)))
            })
        }
    }
}
