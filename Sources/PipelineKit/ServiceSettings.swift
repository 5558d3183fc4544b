import KafkaClient

/// Everything a pipeline service reads from its environment, parsed once at start-up. Names match
/// compose.yaml; each service uses the part it needs. An invalid value is a `ConfigurationError`
/// naming the variable, so a misconfigured container fails at once with a clear message.
public struct ServiceSettings: Sendable, Equatable {
    public var brokers: String
    public var clientId: String
    public var groupId: String
    public var topicReposIngested: String
    public var topicCodeMined: String
    public var topicCodeAnalyzed: String
    public var topicGraphApply: String
    public var dlqSuffix: String
    public var httpHost: String
    public var httpPort: Int
    public var logLevel: String
    /// Attempts per record before it is dead-lettered (first try included).
    public var maxAttempts: Int
    /// First retry delay; doubles per attempt, with jitter.
    public var retryBackoffMs: Int
    public var dryRun: Bool
    public var sessionTimeoutMs: Int
    public var heartbeatIntervalMs: Int
    /// Directories checkouts must resolve inside (`:` or `,` separated); empty means unset.
    public var allowedRoots: String
    /// Where the analyzer looks for `<repo>/<file>` when a record carries no checkout header.
    public var reposRoot: String?
    public var sqlitePath: String
    public var dgraphURL: String?
    /// `sqlite` or `dgraph`; defaults to `dgraph` when `DGRAPH_URL` is set.
    public var graphStore: String
    /// Files larger than this are skipped by the miner and refused by the analyzer.
    public var maxFileSize: Int
    /// Largest accepted ingestion request body.
    public var maxRequestBytes: Int
    /// TLS and SASL settings, read by KafkaClient from the `KAFKA_SECURITY_PROTOCOL`,
    /// `KAFKA_SASL_MECHANISM`, `KAFKA_USERNAME`, `KAFKA_PASSWORD` and `KAFKA_SSL_*` variables.
    public var security: SecurityConfiguration
    /// Highest version per API key (`KAFKA_MAX_API_VERSIONS=11:5,14:3`), for brokers that offer
    /// versions they do not handle (librdkafka's mock cluster and flexible JoinGroup/SyncGroup).
    public var maxApiVersions: [Int16: Int16]

    /// The variables and their defaults, for documentation and `--help`.
    public static let documentation: [(name: String, defaultValue: String, meaning: String)] = [
        ("KAFKA_BROKERS", "127.0.0.1:9092", "bootstrap brokers, host:port[,host:port]"),
        ("KAFKA_CLIENT_ID", "<service name>", "client id sent to the brokers"),
        ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"),
        ("KAFKA_SASL_MECHANISM", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (SASL_* protocols)"),
        ("KAFKA_USERNAME", "", "SASL user"),
        ("KAFKA_PASSWORD", "", "SASL password (never logged)"),
        ("KAFKA_SSL_CA_LOCATION", "", "CA bundle (PEM); system roots when unset"),
        ("KAFKA_SSL_CERT_LOCATION", "", "client certificate (PEM), with KAFKA_SSL_KEY_LOCATION"),
        ("KAFKA_SSL_KEY_LOCATION", "", "client key (PEM)"),
        ("KAFKA_SSL_VERIFY_HOSTNAME", "true", "false turns host name verification off"),
        ("KAFKA_MAX_API_VERSIONS", "", "caps per API key, e.g. 11:5,14:3 (brokers that offer what they cannot serve)"),
        ("GROUP_ID", "<service name>", "consumer group of the service"),
        ("TOPIC_REPOS_INGESTED", "repos.ingested", "ingestion -> miner"),
        ("TOPIC_CODE_MINED", "code.mined", "miner -> analyzer"),
        ("TOPIC_CODE_ANALYZED", "code.analyzed", "analyzer -> writer"),
        ("TOPIC_GRAPH_APPLY", "graph.apply", "writer acknowledgments"),
        ("DLQ_SUFFIX", ".dlq", "dead letters of topic T go to T<suffix>"),
        ("HTTP_HOST", "0.0.0.0", "address of /health and /metrics"),
        ("HTTP_PORT", "8080", "port of /health and /metrics"),
        ("LOG_LEVEL", "info", "trace, debug, info, notice, warning, error, critical"),
        ("MAX_ATTEMPTS", "3", "attempts per record before dead-lettering"),
        ("RETRY_BACKOFF_MS", "200", "first retry delay (doubles, with jitter)"),
        ("DRY_RUN", "0", "1: process but only log what would be produced"),
        ("SESSION_TIMEOUT_MS", "10000", "consumer group session timeout"),
        ("HEARTBEAT_INTERVAL_MS", "1000", "consumer group heartbeat interval"),
        ("ALLOWED_ROOTS", "", "directories checkouts must be inside (: or , separated)"),
        ("REPOS_ROOT", "", "analyzer fallback: files are read from REPOS_ROOT/<repo>"),
        ("MAX_FILE_SIZE", "10485760", "bytes; larger files are skipped/refused"),
        ("MAX_REQUEST_BYTES", "65536", "largest ingestion request body"),
        ("GRAPH_STORE", "sqlite", "sqlite or dgraph (dgraph when DGRAPH_URL is set)"),
        ("SQLITE_PATH", "./graph.sqlite", "SQLite graph file"),
        ("DGRAPH_URL", "", "Dgraph HTTP endpoint, e.g. http://dgraph:8080"),
    ]

    public init(environment: [String: String], serviceName: String) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        brokers = try reader.string("KAFKA_BROKERS", default: "127.0.0.1:9092")
        do {
            _ = try ClientConfiguration(brokers: brokers)
        } catch {
            throw ConfigurationError(variable: "KAFKA_BROKERS", message: "\(error)")
        }
        clientId = try reader.string("KAFKA_CLIENT_ID", default: serviceName)
        groupId = try reader.string("GROUP_ID", default: serviceName)
        topicReposIngested = try reader.topic("TOPIC_REPOS_INGESTED", default: "repos.ingested")
        topicCodeMined = try reader.topic("TOPIC_CODE_MINED", default: "code.mined")
        topicCodeAnalyzed = try reader.topic("TOPIC_CODE_ANALYZED", default: "code.analyzed")
        topicGraphApply = try reader.topic("TOPIC_GRAPH_APPLY", default: "graph.apply")
        dlqSuffix = try reader.string("DLQ_SUFFIX", default: ".dlq")
        httpHost = try reader.string("HTTP_HOST", default: "0.0.0.0")
        httpPort = try reader.integer("HTTP_PORT", default: 8080, range: 0...65535)
        logLevel = try reader.choice("LOG_LEVEL", default: "info",
                                     among: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        maxAttempts = try reader.integer("MAX_ATTEMPTS", default: 3, range: 1...100)
        retryBackoffMs = try reader.integer("RETRY_BACKOFF_MS", default: 200, range: 0...600_000)
        dryRun = try reader.flag("DRY_RUN")
        sessionTimeoutMs = try reader.integer("SESSION_TIMEOUT_MS", default: 10_000, range: 1_000...600_000)
        heartbeatIntervalMs = try reader.integer("HEARTBEAT_INTERVAL_MS", default: 1_000, range: 100...600_000)
        guard heartbeatIntervalMs < sessionTimeoutMs else {
            throw ConfigurationError(variable: "HEARTBEAT_INTERVAL_MS",
                                     message: "must be below SESSION_TIMEOUT_MS (\(sessionTimeoutMs)), got \(heartbeatIntervalMs)")
        }
        allowedRoots = reader.optional("ALLOWED_ROOTS") ?? ""
        reposRoot = reader.optional("REPOS_ROOT")
        sqlitePath = try reader.string("SQLITE_PATH", default: "./graph.sqlite")
        dgraphURL = reader.optional("DGRAPH_URL")
        if let url = dgraphURL, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ConfigurationError(variable: "DGRAPH_URL", message: "expected an http:// or https:// URL, got \"\(url)\"")
        }
        graphStore = try reader.choice("GRAPH_STORE", default: dgraphURL == nil ? "sqlite" : "dgraph", among: ["sqlite", "dgraph"])
        if graphStore == "dgraph" && dgraphURL == nil {
            throw ConfigurationError(variable: "DGRAPH_URL", message: "GRAPH_STORE=dgraph needs DGRAPH_URL")
        }
        maxFileSize = try reader.integer("MAX_FILE_SIZE", default: 10 * 1024 * 1024, range: 1...Int(Int32.max))
        maxRequestBytes = try reader.integer("MAX_REQUEST_BYTES", default: 64 * 1024, range: 1...16 * 1024 * 1024)
        maxApiVersions = [:]
        for entry in (reader.optional("KAFKA_MAX_API_VERSIONS") ?? "").split(separator: ",") {
            let parts = entry.split(separator: ":").map { String($0).trimmingSpaces }
            guard parts.count == 2, let key = Int16(parts[0]), let version = Int16(parts[1]), key >= 0, version >= 0 else {
                throw ConfigurationError(variable: "KAFKA_MAX_API_VERSIONS",
                                         message: "expected apiKey:maxVersion[,apiKey:maxVersion], got \"\(entry)\"")
            }
            maxApiVersions[key] = version
        }
        do {
            security = try ClientConfiguration(environment: environment, defaultBrokers: brokers).security
        } catch {
            // KafkaClient's message names the variable at fault (and never the password).
            let message = "\(error)"
            let securityVariables = [
                ClientConfiguration.EnvironmentKey.saslMechanism, ClientConfiguration.EnvironmentKey.username,
                ClientConfiguration.EnvironmentKey.password, ClientConfiguration.EnvironmentKey.caLocation,
                ClientConfiguration.EnvironmentKey.certificateLocation, ClientConfiguration.EnvironmentKey.keyLocation,
                ClientConfiguration.EnvironmentKey.verifyHostname,
            ]
            let variable = securityVariables.first { message.contains($0) } ?? ClientConfiguration.EnvironmentKey.securityProtocol
            throw ConfigurationError(variable: variable, message: message)
        }
    }

    public func dlqTopic(for topic: String) -> String { topic + dlqSuffix }

    /// Client settings for the configured brokers.
    public func clientConfiguration() throws -> ClientConfiguration {
        var client = try ClientConfiguration(brokers: brokers)
        client.clientId = clientId
        client.security = security
        client.maxApiVersions = maxApiVersions
        return client
    }

    /// Group consumer settings: explicit commits only (the loop commits what is acknowledged),
    /// earliest start for a new group, so nothing published before the first start is missed.
    public func consumerConfiguration() throws -> ConsumerConfiguration {
        var consumer = ConsumerConfiguration(client: try clientConfiguration(), groupId: groupId)
        consumer.enableAutoCommit = false
        consumer.autoOffsetReset = .earliest
        consumer.sessionTimeoutMs = sessionTimeoutMs
        consumer.heartbeatIntervalMs = heartbeatIntervalMs
        // Tansu holds JoinGroup for half the session timeout; the rebalance timeout bounds how
        // long the coordinator waits for members, so keep it near the session timeout.
        consumer.rebalanceTimeoutMs = max(sessionTimeoutMs, 2 * heartbeatIntervalMs)
        consumer.fetchMaxWaitMs = 100
        return consumer
    }

    public func producerConfiguration() throws -> ProducerConfiguration {
        var producer = ProducerConfiguration(client: try clientConfiguration())
        producer.lingerMs = 2
        return producer
    }
}

/// A startup error that names the environment variable at fault.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "invalid \(variable): \(message)" }
}

/// Reads typed values; an empty value counts as unset.
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) { self.environment = environment }

    func optional(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }

    func string(_ name: String, default fallback: String) throws(ConfigurationError) -> String {
        optional(name) ?? fallback
    }

    func topic(_ name: String, default fallback: String) throws(ConfigurationError) -> String {
        let value = optional(name) ?? fallback
        let legal = value.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
        guard legal, value.utf8.count <= 249, value != ".", value != ".." else {
            throw ConfigurationError(variable: name, message: "\"\(value)\" is not a legal topic name ([a-zA-Z0-9._-], at most 249)")
        }
        return value
    }

    func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = optional(name) else { return fallback }
        guard let value = Int(text) else {
            throw ConfigurationError(variable: name, message: "expected a whole number, got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, message: "expected \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    func flag(_ name: String) throws(ConfigurationError) -> Bool {
        guard let text = optional(name)?.lowercased() else { return false }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, message: "expected 1/0, true/false, yes/no or on/off, got \"\(text)\"")
        }
    }

    func choice(_ name: String, default fallback: String, among choices: [String]) throws(ConfigurationError) -> String {
        let value = optional(name)?.lowercased() ?? fallback
        guard choices.contains(value) else {
            throw ConfigurationError(variable: name, message: "expected one of \(choices.joined(separator: ", ")), got \"\(value)\"")
        }
        return value
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
