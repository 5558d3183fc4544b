import Foundation
import KafkaClient
import PipelineKit
import PipelineModels
import Testing

/// The ingestion endpoint's validation, the binaries' `--health` and startup errors, dry runs.
@Suite(.serialized)
struct ServiceEdgeTests {
    @Test func triggerValidatesItsInput() async throws {
        let pipeline = try await PipelineHarness(name: "ingest")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start(["ingestion"])
        let port = try pipeline.service("ingestion").httpPort
        // A symlink inside an allowed root that points out of it.
        let escape = pipeline.workDir + "/escape"
        try FileManager.default.createSymbolicLink(atPath: escape, withDestinationPath: "/etc")
        let sample = PipelineHarness.sampleRepo
        let cases: [(String, Int)] = [
            ("/trigger?repo=shop&path=/etc", 403),
            ("/trigger?repo=shop&path=\(escape)", 403),
            ("/trigger?repo=shop&path=\(sample)/../sample-repo", 400),
            ("/trigger?repo=shop&path=\(pipeline.workDir)/missing", 404),
            ("/trigger?repo=shop&path=\(sample)/README.md", 400),
            ("/trigger?path=\(sample)", 400),
            ("/trigger?repo=shop", 400),
            ("/trigger?repo=shop&path=\(sample)&branch=main", 400),
            ("/trigger?repo=shop&repo=other&path=\(sample)", 400),
            ("/trigger?repo=shop&path=\(sample)&ref=%ZZ", 400),
            ("/trigger?repo=" + String(repeating: "x", count: 5_000) + "&path=\(sample)", 414),
        ]
        for (path, status) in cases {
            let response = try #require(LoopbackHTTP.request(port: port, path: path), "\(path)")
            #expect(response.status == status, "\(path): \(response.body)")
            let body = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
            #expect(body?["status"] as? String == "error" && !(body?["error"] as? String ?? "").isEmpty, "\(path): \(response.body)")
        }
        let big = LoopbackHTTP.request(method: "POST", port: port, path: "/trigger",
                                       body: Array(repeating: UInt8(ascii: "a"), count: 200_000), contentType: "text/plain")
        #expect(big?.status == 413)

        // POST with a JSON body is accepted, lands on repos.ingested, keyed by the repo.
        let json = Array(#"{"repo":"shop","path":"\#(sample)","ref":"v1"}"#.utf8)
        let accepted = try #require(LoopbackHTTP.request(method: "POST", port: port, path: "/trigger", body: json,
                                                         contentType: "application/json"))
        #expect(accepted.status == 202, "\(accepted.body)")
        let records = try pipeline.consumeAll(pipeline.topicIngested)
        #expect(records.count == 1, "only the valid request was published")
        let record = try #require(records.first)
        #expect(record["key"] as? String == "shop")
        let message = try RepoIngested.decodeStrict(from: Data((record["value"] as? String ?? "").utf8))
        #expect(message.repo == "shop" && message.ref == "v1" && message.path == sample)
        await pipeline.stopAll()
    }

    @Test func healthFlagAndStartupErrors() async throws {
        let pipeline = try await PipelineHarness(name: "health")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start(["miner"])
        let miner = try pipeline.service("miner")
        #expect(try run(pipeline.binDir + "/miner", ["--health"], environment: miner.environment).status == 0)
        let ready = try #require(miner.get("/ready"))
        #expect(ready.status == 200 && ready.body.contains("\"ready\":true"))

        var nobody = miner.environment
        nobody["HTTP_PORT"] = "\(try TansuBroker.freeLoopbackPort())"
        #expect(try run(pipeline.binDir + "/miner", ["--health"], environment: nobody).status == 1)

        for (name, value) in [("HTTP_PORT", "eighty"), ("MAX_ATTEMPTS", "-1"), ("KAFKA_SECURITY_PROTOCOL", "SSLV3"),
                              ("ALLOWED_ROOTS", "/does/not/exist")] {
            var environment = miner.environment
            environment[name] = value
            let result = try run(pipeline.binDir + "/analyzer", [], environment: environment)
            #expect(result.status != 0, "\(name)=\(value)")
            #expect(result.output.contains(name), "\(name)=\(value): \(result.output)")
        }
        #expect(try await miner.terminate() == 0)
        await pipeline.stopAll()
    }

    /// Liveness stays up without a broker; readiness says the broker is unreachable.
    @Test func readinessReportsAnUnreachableBroker() async throws {
        let pipeline = try await PipelineHarness(name: "ready")
        let port = try TansuBroker.freeLoopbackPort()
        var environment = pipeline.environment(for: "ingestion", port: port)
        environment["KAFKA_BROKERS"] = "127.0.0.1:\(try TansuBroker.freeLoopbackPort())"
        let ingestion = ServiceProcess(name: "ingestion-nobroker", binary: pipeline.binDir + "/ingestion",
                                       environment: environment, httpPort: port)
        try ingestion.start()
        pipeline.services["ingestion"] = ingestion
        defer { Task { await pipeline.stopAll() } }
        try await ingestion.waitHealthy()
        let health = try #require(ingestion.get("/health"))
        #expect(health.status == 200 && health.body.contains("\"ready\":false"), "\(health.body)")
        #expect(ingestion.get("/ready")?.status == 503)
        #expect(try await ingestion.terminate() == 0)
        await pipeline.stopAll()
    }

    @Test func dryRunProducesNothing() async throws {
        let pipeline = try await PipelineHarness(name: "dry")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start(["ingestion", "miner"])
        var environment = try pipeline.service("miner").environment
        try await pipeline.service("miner").terminate()
        environment["DRY_RUN"] = "1"
        let port = try TansuBroker.freeLoopbackPort()
        environment["HTTP_PORT"] = "\(port)"
        let dry = ServiceProcess(name: "miner-dry", binary: pipeline.binDir + "/miner", environment: environment, httpPort: port)
        try dry.start()
        pipeline.services["miner"] = dry
        try await dry.waitHealthy()
        #expect(try pipeline.trigger(repo: "shop", path: PipelineHarness.sampleRepo).status == 202)
        try await pipeline.eventually("the dry run to process the trigger") { try dry.stats().processed == 1 }
        #expect(try dry.stats().produced == 0)
        #expect(try pipeline.consumeAll(pipeline.topicMined).isEmpty)
        let log = try String(contentsOfFile: dry.logPath, encoding: .utf8)
        #expect(log.components(separatedBy: "dry run: would produce").count - 1 == 13)
        await pipeline.stopAll()
    }

    func run(_ binary: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
