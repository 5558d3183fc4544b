import ArgumentParser
import Foundation
import KafkaClient

/// `-b` and `-X`, shared by every verb that talks to a cluster (kcat's habits).
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("b"), .customLong("brokers")],
            help: "Bootstrap brokers, host:port[,host:port] (default: $KAFKA_BROKERS or 127.0.0.1:9092).")
    var brokers: String?

    @Option(name: [.customShort("X")], help: "Client setting key=value (client.id, request.timeout.ms, connect.timeout.ms).")
    var settings: [String] = []

    func configuration() throws -> ClientConfiguration {
        let list = brokers ?? ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "127.0.0.1:9092"
        var config = try ClientConfiguration(brokers: list)
        config.clientId = "kafka-admin"
        for setting in settings {
            guard let eq = setting.firstIndex(of: "=") else {
                throw ValidationError("-X \(setting): expected key=value")
            }
            let key = String(setting[..<eq]), value = String(setting[setting.index(after: eq)...])
            switch key {
            case "client.id": config.clientId = value
            case "request.timeout.ms": config.requestTimeoutMs = try int(key, value)
            case "connect.timeout.ms", "socket.connection.setup.timeout.ms": config.connectTimeoutMs = try int(key, value)
            case "metadata.max.age.ms": config.metadataMaxAgeMs = try int(key, value)
            default: throw ValidationError("-X \(key): unknown setting")
            }
        }
        return config
    }

    private func int(_ key: String, _ value: String) throws -> Int {
        guard let n = Int(value), n >= 0 else { throw ValidationError("-X \(key)=\(value): expected a number") }
        return n
    }
}

/// Fixed-width text columns, as rpk prints them.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
            }.joined()
            // Empty trailing cells (no member owns a partition) would leave padding behind.
            return String(text.reversed().drop { $0 == " " }.reversed())
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

/// A failure reported to the user as `Error: …` with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
