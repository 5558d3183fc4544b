import ArgumentParser
import Foundation
import KafkaClient

/// `-b` and `-X`, shared by every verb that talks to a cluster (kcat's habits).
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("b"), .customLong("brokers")],
            help: "Bootstrap brokers, host:port[,host:port] (default: $KAFKA_BROKERS or 127.0.0.1:9092).")
    var brokers: String?

    @Option(name: [.customShort("X")], help: ArgumentHelp(
        "Client setting key=value: client.id, request.timeout.ms, connect.timeout.ms, metadata.max.age.ms, security.protocol, sasl.mechanism, sasl.username, sasl.password, ssl.ca.location, ssl.certificate.location, ssl.key.location, ssl.endpoint.identification.algorithm (https|none).",
        discussion: "Security settings also come from $KAFKA_SECURITY_PROTOCOL, $KAFKA_SASL_MECHANISM, $KAFKA_USERNAME, $KAFKA_PASSWORD, $KAFKA_SSL_CA_LOCATION, $KAFKA_SSL_CERT_LOCATION and $KAFKA_SSL_KEY_LOCATION; -X wins."))
    var settings: [String] = []

    /// librdkafka-style -X keys that map onto the environment variables the client reads.
    static let securityKeys: [String: String] = [
        "security.protocol": ClientConfiguration.EnvironmentKey.securityProtocol,
        "sasl.mechanism": ClientConfiguration.EnvironmentKey.saslMechanism,
        "sasl.mechanisms": ClientConfiguration.EnvironmentKey.saslMechanism,
        "sasl.username": ClientConfiguration.EnvironmentKey.username,
        "sasl.password": ClientConfiguration.EnvironmentKey.password,
        "ssl.ca.location": ClientConfiguration.EnvironmentKey.caLocation,
        "ssl.certificate.location": ClientConfiguration.EnvironmentKey.certificateLocation,
        "ssl.key.location": ClientConfiguration.EnvironmentKey.keyLocation,
        "ssl.endpoint.identification.algorithm": ClientConfiguration.EnvironmentKey.verifyHostname,
    ]

    func configuration() throws -> ClientConfiguration {
        var environment = ProcessInfo.processInfo.environment
        if let brokers { environment[ClientConfiguration.EnvironmentKey.brokers] = brokers }
        var fromFlags: [String: String] = [:]  // environment variable -> the -X key that set it
        var others: [(String, String)] = []
        for setting in settings {
            guard let eq = setting.firstIndex(of: "=") else {
                throw ValidationError("-X \(setting): expected key=value")
            }
            let key = String(setting[..<eq]), value = String(setting[setting.index(after: eq)...])
            if let variable = Self.securityKeys[key] {
                environment[variable] = value
                fromFlags[variable] = key
            } else {
                others.append((key, value))
            }
        }
        var config: ClientConfiguration
        do {
            config = try ClientConfiguration(environment: environment, defaultBrokers: "127.0.0.1:9092")
        } catch {
            // Name the -X key when the bad value came from one (never the value of a password).
            var message = "\(error)"
            for (variable, key) in fromFlags { message = message.replacingOccurrences(of: variable, with: "-X \(key)") }
            throw ValidationError(message)
        }
        if environment[ClientConfiguration.EnvironmentKey.clientId] == nil { config.clientId = "kafka-admin" }
        for (key, value) in others {
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
