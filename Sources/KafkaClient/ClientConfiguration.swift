import KafkaProtocol

/// Settings shared by producers, consumers and admin clients.
public struct ClientConfiguration: Sendable {
    public struct Broker: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    public var bootstrapServers: [Broker]
    public var clientId = "swift-kafka"
    public var connectTimeoutMs = 10_000
    public var requestTimeoutMs = 30_000
    public var maxInFlightPerConnection = 16
    public var maxFrameSize = FrameDecoder.defaultMaxFrameSize
    /// Metadata is refreshed at least this often, and at once after leadership errors.
    public var metadataMaxAgeMs = 300_000
    public var reconnectBackoffMs = 50
    public var reconnectBackoffMaxMs = 1_000
    /// Caps the version used per api key (e.g. to test an older broker's path).
    public var maxApiVersions: [Int16: Int16] = [:]
    /// PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL with their TLS and SASL settings.
    public var security = SecurityConfiguration.plaintext

    public init(bootstrapServers: [Broker]) {
        self.bootstrapServers = bootstrapServers
    }

    /// Parses "host:port,host:port" (the form of `-b` and `KAFKA_BROKERS`).
    public init(brokers: String) throws {
        var servers: [Broker] = []
        for item in brokers.split(separator: ",") {
            let text = item.trimmingCharacters(in: " ")
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  port > 0 && port < 65536 else {
                throw KafkaClientError.invalidConfiguration("broker address \"\(text)\" is not host:port")
            }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            servers.append(Broker(host: host, port: port))
        }
        guard !servers.isEmpty else { throw KafkaClientError.invalidConfiguration("no bootstrap servers") }
        self.init(bootstrapServers: servers)
    }

    var connectionOptions: BrokerConnection.Options {
        var options = BrokerConnection.Options()
        options.clientId = clientId
        options.connectTimeoutMs = connectTimeoutMs
        options.requestTimeoutMs = requestTimeoutMs
        options.maxInFlight = maxInFlightPerConnection
        options.maxFrameSize = maxFrameSize
        options.tls = security.securityProtocol.usesTLS ? security.tls : nil
        options.sasl = security.securityProtocol.usesSASL ? security.sasl : nil
        return options
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
