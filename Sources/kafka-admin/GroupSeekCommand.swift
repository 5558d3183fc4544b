import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol

extension GroupCommand {
    struct Seek: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a group's committed offsets (the group must have no active members).",
            discussion: """
            --to is start, end, an offset N (clamped to each partition's log), or a timestamp: \
            @MS (milliseconds since the epoch, as kcat's s@) or ISO-8601 (2026-12-01T10:00:00Z), \
            which seeks to the first record at or after it (the end where there is none). \
            Without --topic every partition the group has committed is moved. The group's \
            consumers must be stopped first: a live group would overwrite the offsets.

            Examples:
              kafka-admin group seek analyzer --to start             # reprocess all
              kafka-admin group seek analyzer --to end --topic code.mined
              kafka-admin group seek analyzer --to 1200 --topic code.mined
              kafka-admin group seek analyzer --to 2026-12-01T10:00:00Z --dry-run
            """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group id.") var group: String
        @Option(help: "start, end, an offset, @MS or an ISO-8601 time.") var to: String
        @Option(name: .customLong("topic"), help: "Topic to move (repeatable; default: the group's committed topics).")
        var topics: [String] = []
        @Flag(help: "Show the new offsets without committing them.") var dryRun = false

        func run() async throws {
            let target = try SeekTarget(parsing: to)
            let admin = KafkaAdminClient(configuration: try connection.configuration())
            defer { Task { await admin.cluster.close() } }

            let description = try await admin.describeGroup(group)
            guard description.members.isEmpty else {
                throw CommandFailure("""
                    group \(group) has \(description.members.count) active member(s) (state \(description.state)): \
                    stop its consumers before seeking, or they will overwrite the new offsets \
                    (see kafka-admin group describe \(group))
                    """)
            }
            let prior = try await admin.committedOffsets(group: group, topics: topics.isEmpty ? nil : topics)
            let partitions: [TopicPartition]
            if topics.isEmpty {
                partitions = prior.filter { $0.value >= 0 }.keys.sorted()
                guard !partitions.isEmpty else {
                    throw CommandFailure("group \(group) has no committed offsets: name the topics to move with --topic")
                }
            } else {
                var all: [TopicPartition] = []
                for topic in topics {
                    let info = try await admin.cluster.topicMetadata(topic)
                    all += info.partitions.map { TopicPartition(topic: topic, partition: $0.partition) }
                }
                partitions = all.sorted()
            }

            let offsets = try await target.offsets(for: partitions, cluster: admin.cluster)
            if !dryRun { try await admin.commitOffsets(group: group, offsets) }
            var table = TextTable("TOPIC", "PARTITION", "PRIOR-OFFSET", "NEW-OFFSET")
            for tp in partitions {
                let before = prior[tp].map { $0 >= 0 ? String($0) : "-" } ?? "-"
                table.add(tp.topic, String(tp.partition), before, offsets[tp].map(String.init) ?? "-")
            }
            print(table.render())
            if dryRun { print("(dry run: nothing committed)") }
        }
    }
}

/// Where `group seek --to` moves a group.
enum SeekTarget: Equatable {
    case start
    case end
    case offset(Int64)
    /// Milliseconds since the epoch.
    case timestamp(Int64)

    init(parsing text: String) throws {
        switch text.lowercased() {
        case "start", "beginning", "earliest": self = .start
        case "end", "latest": self = .end
        default:
            if let offset = Int64(text), offset >= 0 {
                self = .offset(offset)
            } else if text.hasPrefix("@"), let ms = Int64(text.dropFirst()), ms >= 0 {
                self = .timestamp(ms)
            } else if let date = Self.isoDate(text) {
                self = .timestamp(Int64((date.timeIntervalSince1970 * 1000).rounded()))
            } else {
                throw ValidationError("--to \(text): expected start, end, an offset N, @MS or an ISO-8601 time such as 2026-12-01T10:00:00Z")
            }
        }
    }

    private static func isoDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// The offset to commit for each partition. Offsets are clamped to [log start, high
    /// watermark]; a timestamp past every record seeks to the end, as Kafka's tools do.
    func offsets(for partitions: [TopicPartition], cluster: KafkaCluster) async throws -> [TopicPartition: Int64] {
        let ends = try await cluster.highWatermarks(partitions)
        switch self {
        case .end:
            return ends
        case .start:
            return try await cluster.earliestOffsets(partitions)
        case .offset(let wanted):
            let starts = try await cluster.earliestOffsets(partitions)
            return Dictionary(uniqueKeysWithValues: partitions.map { tp in
                (tp, min(max(wanted, starts[tp] ?? 0), ends[tp] ?? wanted))
            })
        case .timestamp(let ms):
            let found = try await cluster.listOffsets(partitions, timestamp: ms)
            return Dictionary(uniqueKeysWithValues: partitions.map { tp in
                let end = ends[tp] ?? 0
                guard let offset = found[tp], offset >= 0 else { return (tp, end) }
                return (tp, min(offset, end))
            })
        }
    }
}
