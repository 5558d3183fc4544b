import Foundation
import Testing
import PipelineConfig

/// Validates compose.yaml against the Compose Specification schema with python's jsonschema
/// (no Docker engine runs here). Missing python packages fail the test; only a missing schema
/// file disables it, visibly.
@Suite("compose.yaml", .enabled(if: FileManager.default.fileExists(atPath: Paths.composeSchema),
                                "Compose schema not found at ../shared/compose-spec/compose-spec.json (set SHARED_DIR)"))
struct ComposeTests {
    static var schema: String { Paths.composeSchema }
    static let validator = Paths.inPackage("scripts/validate-compose.py")

    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func validate(_ composeFile: String, dump: Bool = false) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", validator, composeFile, schema] + (dump ? ["--dump"] : [])
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large dump cannot fill the pipe and deadlock.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Fails with the validator's message; exit 3 means a python package is missing.
    static func requireValid(_ run: Run) {
        if run.status == 3 {
            Issue.record("python dependency missing (run scripts/install-deps.sh): \(run.stderr)")
        } else if run.status != 0 {
            Issue.record("compose file invalid (exit \(run.status)):\n\(run.stderr)")
        }
    }

    @Test func composeFileMatchesTheSpecification() throws {
        Self.requireValid(try Self.validate(Paths.inPackage("compose.yaml")))
    }

    @Test func validatorRejectsInvalidFiles() throws {
        let dir = try TemporaryDirectory()
        let bad = try dir.write("bad.yaml", "services:\n  a:\n    image: x\n    ports: {p: 1}\n    bogus: true\n")
        let run = try Self.validate(bad)
        #expect(run.status != 3, "python dependency missing: \(run.stderr)")
        #expect(run.status == 1)
        #expect(run.stderr.contains("services/a/ports"))
        #expect(run.stderr.contains("bogus"))
    }

    @Test func servicesAreWiredAsDocumented() throws {
        let run = try Self.validate(Paths.inPackage("compose.yaml"), dump: true)
        Self.requireValid(run)
        guard run.status == 0 else { return }
        let document = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        let services = try #require(document["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == ["redpanda", "topics-init", "ingestion", "miner", "analyzer", "writer", "dgraph"])

        let targets = ["ingestion": "ingestion", "miner": "miner", "analyzer": "analyzer", "writer": "graph-writer", "topics-init": "kafka-admin"]
        for (name, target) in targets {
            let build = services[name]?["build"] as? [String: Any]
            #expect(build?["target"] as? String == target, "\(name)")
        }
        for name in ["ingestion", "miner", "analyzer", "writer"] {
            let env = services[name]?["environment"] as? [String: Any] ?? [:]
            for key in ["KAFKA_BROKERS", "KAFKA_CLIENT_ID", "KAFKA_SECURITY_PROTOCOL", "HTTP_PORT", "TOPIC_CODE_MINED"] {
                #expect(env[key] != nil, "\(name) lacks \(key)")
            }
            let dependsOn = services[name]?["depends_on"] as? [String: [String: Any]]
            #expect(dependsOn?["topics-init"]?["condition"] as? String == "service_completed_successfully", "\(name)")
        }
        for name in ["ingestion", "miner", "analyzer"] {
            let volumes = services[name]?["volumes"] as? [String] ?? []
            #expect(volumes.contains("repos:/repos:ro"), "\(name) must mount repositories read-only")
        }
        // Every topic a service is told to use exists in the topics file, with its dead-letter topic.
        let topics = Set(try TopicsFile.load(path: Paths.inPackage("config/topics.yaml")).map(\.name))
        for name in ["ingestion", "miner", "analyzer", "writer"] {
            let env = services[name]?["environment"] as? [String: Any] ?? [:]
            for (key, value) in env where key.hasPrefix("TOPIC_") {
                let topic = value as? String ?? ""
                #expect(topics.contains(topic) && topics.contains(topic + ".dlq"), "\(name) \(key)=\(topic)")
            }
        }
        let writerEnv = services["writer"]?["environment"] as? [String: Any] ?? [:]
        #expect(["sqlite", "dgraph"].contains(writerEnv["GRAPH_STORE"] as? String))
        let topicsInit = services["topics-init"]?["depends_on"] as? [String: [String: Any]]
        #expect(topicsInit?["redpanda"]?["condition"] as? String == "service_healthy")
        let health = services["redpanda"]?["healthcheck"] as? [String: Any]
        #expect((health?["test"] as? [String])?.joined(separator: " ").contains("rpk cluster health") == true)
    }

    @Test func dockerfileBuildsEveryExecutable() throws {
        let text = try String(contentsOfFile: Paths.inPackage("Dockerfile"), encoding: .utf8)
        #expect(text.contains("--static-swift-stdlib"))
        for target in ["ingestion", "miner", "analyzer", "graph-writer", "kafka-admin"] {
            #expect(text.contains("AS \(target)\n"), "stage \(target)")
        }
        #expect(text.contains("USER 10001"))
        #expect(text.components(separatedBy: "HEALTHCHECK").count - 1 == 4)
    }
}
