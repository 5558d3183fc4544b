import Foundation
import GraphWriter
import KafkaClient
import PipelineKit
import Testing

/// One pipeline for one test: its own topics, groups and SQLite graph on the shared Tansu, and
/// the four service executables as processes configured through their environment.
final class PipelineHarness: @unchecked Sendable {
    static let serviceNames = ["ingestion", "miner", "analyzer", "graph-writer"]

    let broker: TansuBroker
    /// Where the services and the test's clients connect: the shared Tansu, or a librdkafka
    /// mock cluster (brokers taken down and brought back under a running pipeline).
    let brokers: String
    let clientConfiguration: ClientConfiguration
    let mock: MockCluster?
    let prefix: String
    let workDir: String
    let binDir: String
    let sqlitePath: String
    var services: [String: ServiceProcess] = [:]

    var topicIngested: String { "\(prefix).repos.ingested" }
    var topicMined: String { "\(prefix).code.mined" }
    var topicAnalyzed: String { "\(prefix).code.analyzed" }
    var topicApply: String { "\(prefix).graph.apply" }
    var dataTopics: [String] { [topicIngested, topicMined, topicAnalyzed, topicApply] }

    static var fixtures: String { TansuBroker.packageRoot.appendingPathComponent("Fixtures").path }
    static var sampleRepo: String { fixtures + "/sample-repo" }

    init(name: String, mock: MockCluster? = nil) async throws {
        broker = try await TansuBroker.shared()
        self.mock = mock
        if let mock {
            brokers = mock.bootstrap
            clientConfiguration = try mock.configuration
        } else {
            brokers = broker.brokers
            clientConfiguration = broker.configuration
        }
        prefix = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
        binDir = try ServiceProcess.binDirectory()
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().appendingPathComponent("pipeline-\(prefix)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        workDir = base.path
        sqlitePath = workDir + "/graph.sqlite"
        try await createTopics()
    }

    func createTopics() async throws {
        if let mock {  // the mock has no CreateTopics
            for topic in dataTopics {
                try mock.createTopic(topic, partitions: 3)
                try mock.createTopic(topic + ".dlq", partitions: 1)
            }
            return
        }
        let admin = KafkaAdminClient(configuration: broker.configuration)
        var topics: [KafkaAdminClient.NewTopic] = []
        for topic in dataTopics {
            topics.append(.init(name: topic, partitions: 3))
            topics.append(.init(name: topic + ".dlq", partitions: 1))
        }
        let results = try await admin.createTopics(topics)
        for (topic, result) in results {
            if case .failed = result { throw BrokerStartError("cannot create \(topic): \(result)") }
        }
        await admin.cluster.close()
    }

    func environment(for service: String, port: Int) -> [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "KAFKA_BROKERS": brokers,
            "KAFKA_CLIENT_ID": "\(prefix)-\(service)",
            "GROUP_ID": "\(prefix)-\(service)",
            "TOPIC_REPOS_INGESTED": topicIngested,
            "TOPIC_CODE_MINED": topicMined,
            "TOPIC_CODE_ANALYZED": topicAnalyzed,
            "TOPIC_GRAPH_APPLY": topicApply,
            "DLQ_SUFFIX": ".dlq",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": "\(port)",
            "LOG_LEVEL": "info",
            "MAX_ATTEMPTS": "3",
            "RETRY_BACKOFF_MS": "20",
            "SESSION_TIMEOUT_MS": "2000",
            "HEARTBEAT_INTERVAL_MS": "500",
            "ALLOWED_ROOTS": "\(Self.fixtures):\(workDir)",
            "SQLITE_PATH": sqlitePath,
            "KAFKA_MAX_API_VERSIONS": mock == nil ? "" : MockCluster.groupVersionCaps.map { "\($0.key):\($0.value)" }.joined(separator: ","),
        ]
    }

    /// Starts the named services (all by default) and waits until each answers /health.
    /// `overrides` are added to every started service's environment.
    func start(_ names: [String] = PipelineHarness.serviceNames, overrides: [String: String] = [:]) async throws {
        for name in names {
            let port = try TansuBroker.freeLoopbackPort()
            let service = ServiceProcess(name: name, binary: binDir + "/" + name,
                                         environment: environment(for: name, port: port).merging(overrides) { $1 },
                                         httpPort: port)
            try service.start()
            services[name] = service
        }
        for name in names { try await services[name]!.waitHealthy() }
    }

    /// Starts a service again with the same environment and port.
    func restart(_ name: String) async throws {
        guard let old = services[name] else { throw BrokerStartError("\(name) was never started") }
        let service = ServiceProcess(name: name, binary: old.binary, environment: old.environment, httpPort: old.httpPort)
        try service.start()
        services[name] = service
        try await service.waitHealthy()
    }

    func service(_ name: String) throws -> ServiceProcess {
        guard let service = services[name] else { throw BrokerStartError("\(name) is not running") }
        return service
    }

    func trigger(repo: String, path: String, ref: String = "main") throws -> LoopbackHTTP.Response {
        let query = "repo=\(repo)&path=\(path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path)&ref=\(ref)"
        guard let response = LoopbackHTTP.request(port: try service("ingestion").httpPort, path: "/trigger?\(query)") else {
            throw BrokerStartError("ingestion did not answer")
        }
        return response
    }

    func writerHealth() throws -> [String: Any] {
        guard let response = try service("graph-writer").get("/writer/health"), response.status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] else {
            throw BrokerStartError("/writer/health unavailable")
        }
        return object
    }

    func store() throws -> SQLiteGraphStore { try SQLiteGraphStore(path: sqlitePath) }

    /// Waits (polling, bounded) until `condition` holds; fails with `what` and the logs.
    func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let logs = services.values.map { "\($0.name): \($0.logTail(1_500))" }.joined(separator: "\n")
        throw BrokerStartError("timed out after \(timeout) waiting for \(what)\n\(logs)")
    }

    /// Waits until the graph holds `files` files and every consumer has caught up.
    func waitSettled(files: Int, timeout: Duration = .seconds(90)) async throws {
        let store = try store()
        try await eventually("\(files) files in the graph and no lag", timeout: timeout) {
            guard try await store.summary().files >= files else { return false }
            for name in ["miner", "analyzer", "graph-writer"] {
                let stats = try service(name).stats()
                guard stats.inFlight == 0, !stats.lag.isEmpty, stats.lag.values.allSatisfy({ $0 == 0 }) else { return false }
            }
            return true
        }
    }

    /// Every record of `topic` from the start, as `kafka-admin consume -o start -e -f json` prints them.
    func consumeAll(_ topic: String) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDir + "/kafka-admin")
        process.arguments = ["consume", topic, "-b", brokers, "-o", "start", "-e", "-f", "json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BrokerStartError("kafka-admin consume \(topic) exited \(process.terminationStatus)") }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw BrokerStartError("kafka-admin printed a non-object: \($0)")
            }
            return object
        }
    }

    func stopAll() async {
        for service in services.values { _ = try? await service.terminate(timeout: .seconds(20)) }
        services = [:]
        try? FileManager.default.removeItem(atPath: workDir)
    }

    /// A repository of `copies` copies of the sample under `root/copyN/` (13 source files each).
    func generateRepo(copies: Int) throws -> String {
        let root = workDir + "/big-repo"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for n in 0..<copies {
            try FileManager.default.copyItem(atPath: Self.sampleRepo, toPath: root + "/copy\(n)")
        }
        return root
    }
}

/// The hand-checked findings of the sample repository.
struct SampleExpectations {
    struct File {
        var lang: String
        var functions: Int?
        var tables: [String]
        var error: String?
    }

    let files: [String: File]

    init() throws {
        let url = URL(fileURLWithPath: PipelineHarness.fixtures + "/sample-repo.expected.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let entries = root?["files"] as? [String: [String: Any]] ?? [:]
        var files: [String: File] = [:]
        for (path, entry) in entries {
            files[path] = File(lang: entry["lang"] as? String ?? "", functions: entry["functions"] as? Int,
                               tables: entry["tables"] as? [String] ?? [], error: entry["error"] as? String)
        }
        self.files = files
    }

    var functionCount: Int { files.values.reduce(0) { $0 + ($1.functions ?? 0) } }
    var referenceEdges: Int { files.values.reduce(0) { $0 + $1.tables.count } }
    var distinctTables: Int { Set(files.values.flatMap(\.tables)).count }
}
