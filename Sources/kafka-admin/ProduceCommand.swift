import ArgumentParser
import Foundation
import KafkaClient
import KafkaCompression
import KafkaProtocol

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce one record per line of standard input.",
        discussion: """
        Examples:
          echo hello | kafka-admin produce orders
          printf 'k1:v1\\nk2:v2\\n' | kafka-admin produce orders -K :
          kafka-admin produce orders -k user-7 -H source=cli -z lz4 < values.txt
        """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic.") var topic: String
    @Option(name: .customShort("K"), help: "Split a key off each line at the first DELIM.") var keyDelimiter: String?
    @Option(name: .customShort("k"), help: "One fixed key for every record.") var key: String?
    @Option(name: .customShort("H"), help: "Header key=value (repeatable).") var headers: [String] = []
    @Option(name: .customShort("z"), help: "Compression: none, gzip, snappy, lz4, zstd.") var codec: String = "none"
    @Option(name: .customShort("p"), help: "Partition (default: by key, sticky without a key).") var partition: Int32?
    @Option(name: .long, help: "acks: 0, 1 or all.") var acks: String = "all"

    func run() async throws {
        guard let compression = CompressionCodec.allCases.first(where: { $0.name == codec }) else {
            throw ValidationError("-z \(codec): expected none, gzip, snappy, lz4 or zstd")
        }
        var config = ProducerConfiguration(client: try connection.configuration())
        config.compression = compression
        switch acks {
        case "0": config.acks = .none; config.idempotence = false
        case "1": config.acks = .leader; config.idempotence = false
        case "all", "-1": config.acks = .all
        default: throw ValidationError("--acks \(acks): expected 0, 1 or all")
        }
        let recordHeaders = try headers.map { entry -> RecordHeader in
            guard let eq = entry.firstIndex(of: "=") else { throw ValidationError("-H \(entry): expected key=value") }
            return RecordHeader(key: String(entry[..<eq]), value: Array(entry[entry.index(after: eq)...].utf8))
        }
        let producer = try KafkaProducer(configuration: config)
        // Count failures from the report stream while lines are enqueued.
        let failures = Task { () -> [String] in
            var errors: [String] = []
            for await report in producer.deliveryReports {
                if case let .failure(error) = report.result { errors.append("\(error)") }
            }
            return errors
        }
        var sent = 0
        while let line = readLine(strippingNewline: true) {
            var recordKey = key.map { Array($0.utf8) }
            var value = Substring(line)
            if let keyDelimiter, let range = line.range(of: keyDelimiter) {
                recordKey = Array(line[..<range.lowerBound].utf8)
                value = line[range.upperBound...]
            }
            try await producer.enqueue(topic: topic, key: recordKey, value: Array(value.utf8), headers: recordHeaders,
                                       partition: partition, timestamp: nil)
            sent += 1
        }
        await producer.close()
        let errors = await failures.value
        FileHandle.standardError.write(Data("produced \(sent - errors.count) of \(sent) records to \(topic)\n".utf8))
        if !errors.isEmpty {
            throw CommandFailure("\(errors.count) records failed; first: \(errors[0])")
        }
    }
}
