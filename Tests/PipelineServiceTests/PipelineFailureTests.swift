import Foundation
import GraphWriter
import KafkaClient
import KafkaProtocol
import PipelineKit
import PipelineModels
import Testing

/// Poison messages, crashes and clean shutdowns, with the services as processes on Tansu.
@Suite(.serialized)
struct PipelineFailureTests {
    /// A malformed message on each consumed topic lands in that topic's dead-letter topic with
    /// its envelope, and the sample repository triggered after it is still processed.
    @Test func malformedMessagesAreDeadLettered() async throws {
        let pipeline = try await PipelineHarness(name: "dlq")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start()
        let expected = try SampleExpectations()
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: pipeline.broker.configuration))
        // Same key as the repository, so the poison sits on the partition the good records use.
        let poison: [(topic: String, value: [UInt8])] = [
            (pipeline.topicIngested, Array("not json at all".utf8)),
            (pipeline.topicMined, Array(#"{"repo":"shop","file":"../etc/passwd","lang":"python"}"#.utf8)),
            (pipeline.topicAnalyzed, [0xFF, 0xFE, 0x00, 0x01]),
        ]
        var offsets: [String: RecordMetadata] = [:]
        for (topic, value) in poison {
            offsets[topic] = try await producer.send(topic: topic, key: Array("shop".utf8), value: value,
                                                     headers: [RecordHeader(key: "origin", value: Array("test".utf8))])
        }
        await producer.close()
        #expect(try pipeline.trigger(repo: "shop", path: PipelineHarness.sampleRepo).status == 202)
        try await pipeline.waitSettled(files: expected.files.count)

        for (topic, value) in poison {
            let letters = try pipeline.consumeAll(topic + ".dlq")
            #expect(letters.count == 1, "\(topic).dlq")
            let letter = try #require(letters.first)
            #expect(letter["key"] as? String == "shop")
            let text = try #require(letter["value"] as? String)
            let envelope = try JSONDecoder().decode(DeadLetterEnvelope.self, from: Data(text.utf8))
            let source = try #require(offsets[topic])
            #expect(envelope.topic == topic)
            #expect(envelope.partition == source.partition)
            #expect(envelope.offset == source.offset)
            #expect(envelope.attempts == 1, "a malformed message is not retried")
            #expect(DeadLetterEnvelope.decode(envelope.value, encoding: envelope.valueEncoding) == value)
            #expect(envelope.valueEncoding == (String(validating: value, as: UTF8.self) == nil ? "base64" : "utf8"))
            #expect(envelope.key == "shop" && envelope.keyEncoding == "utf8")
            #expect(envelope.headers == [.init(key: "origin", value: "test", encoding: "utf8")])
            #expect(!envelope.error.isEmpty)
            #expect(Timestamp.isValid(envelope.timestamp))
        }
        // Everything after the poison went through: the graph is complete.
        let summary = try await pipeline.store().summary()
        #expect(summary.files == expected.files.count)
        #expect(try pipeline.writerHealth()["dead_lettered"] as? Int == 1)
        await pipeline.stopAll()
    }

    /// A transient failure (the file vanished after mining) is retried with backoff up to
    /// MAX_ATTEMPTS, then dead-lettered with the attempt count; the loop goes on.
    @Test func transientFailuresAreRetriedThenDeadLettered() async throws {
        let pipeline = try await PipelineHarness(name: "retry")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start(["analyzer"])
        let checkout = pipeline.workDir + "/repo"
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try Data("def present():\n    pass\n".utf8).write(to: URL(fileURLWithPath: checkout + "/present.py"))
        let hash = String(repeating: "ab", count: 32)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: pipeline.broker.configuration))
        let headers = [RecordHeader(key: "checkout", value: Array(checkout.utf8))]
        for file in ["gone.py", "present.py"] {
            let mined = CodeMined(repo: "shop", file: file, lang: .python, size: 24, hash: hash)
            try await producer.send(topic: pipeline.topicMined, key: Array("shop".utf8), value: Array(try mined.encodeJSON()),
                                    headers: headers)
        }
        await producer.close()
        let analyzer = try pipeline.service("analyzer")
        try await pipeline.eventually("both records processed") { try analyzer.stats().processed == 2 }
        let stats = try analyzer.stats()
        #expect(stats.retries == 2, "MAX_ATTEMPTS=3: two retries")
        #expect(stats.errors == 3)
        #expect(stats.deadLettered == 1)
        // Counted once enqueued: wait until the dead letter is written before reading it.
        try await pipeline.eventually("the dead letter written") { try pipeline.consumeAll(pipeline.topicMined + ".dlq").count == 1 }
        let letters = try pipeline.consumeAll(pipeline.topicMined + ".dlq")
        let envelope = try JSONDecoder().decode(DeadLetterEnvelope.self, from: Data((letters.first?["value"] as? String ?? "").utf8))
        #expect(letters.count == 1)
        #expect(envelope.attempts == 3)
        #expect(envelope.error.contains("gone.py"))
        try await pipeline.eventually("the analyzed record written") { try pipeline.consumeAll(pipeline.topicAnalyzed).count >= 1 }
        let analyzed = try pipeline.consumeAll(pipeline.topicAnalyzed)
        #expect(analyzed.count == 1, "the record after the failing one went through")
        let message = try CodeAnalyzed.decodeStrict(from: Data((analyzed.first?["value"] as? String ?? "").utf8))
        #expect(message.file == "present.py" && message.findings == .python(functionNames: ["present"]))
        #expect((analyzed.first?["headers"] as? [String: Any])?["hash"] as? String == hash)
        await pipeline.stopAll()
    }

    /// `kill -9` of a stage in the middle of a run, then a restart: the graph ends complete,
    /// with no duplicate node or edge (the writer absorbs what is redelivered).
    @Test(arguments: ["miner", "analyzer", "graph-writer"])
    func killNineMidRunThenRestart(victim: String) async throws {
        let pipeline = try await PipelineHarness(name: "kill-\(victim)")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start()
        let expected = try SampleExpectations()
        let copies = 20
        let total = expected.files.count * copies
        let repo = try pipeline.generateRepo(copies: copies)
        #expect(try pipeline.trigger(repo: "big", path: repo).status == 202)

        // Kill once the victim has done some of its work but not all of it.
        let service = try pipeline.service(victim)
        try await pipeline.eventually("\(victim) to be mid-run", timeout: .seconds(60)) {
            let stats = try service.stats()
            return victim == "miner" ? stats.produced >= 20 : stats.processed >= 20
        }
        try await service.kill9()
        let appliedAtKill = try await pipeline.store().summary().files
        try await pipeline.restart(victim)
        try await pipeline.waitSettled(files: total)

        let summary = try await pipeline.store().summary()
        #expect(appliedAtKill < total, "the kill should land mid-run")
        #expect(summary.repos == 1)
        #expect(summary.files == total)
        #expect(summary.containsEdges == total)
        #expect(summary.referencesEdges == expected.referenceEdges * copies)
        #expect(summary.functions == expected.functionCount * copies)
        #expect(summary.tables == expected.distinctTables)
        await pipeline.stopAll()
    }

    /// SIGTERM drains: the analyzer exits 0 having committed exactly what it published, and after
    /// a restart nothing is analyzed twice.
    @Test func sigtermDrainsAndCommits() async throws {
        let pipeline = try await PipelineHarness(name: "drain")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start()
        let expected = try SampleExpectations()
        let copies = 20
        let total = expected.files.count * copies
        let repo = try pipeline.generateRepo(copies: copies)
        #expect(try pipeline.trigger(repo: "big", path: repo).status == 202)

        let analyzer = try pipeline.service("analyzer")
        try await pipeline.eventually("analyzer to be mid-run") { try analyzer.stats().processed >= 20 }
        let status = try await analyzer.terminate()
        #expect(status == 0, "\(analyzer.logTail())")

        // Committed offsets account for every code.analyzed record it published, no more, no less.
        let produced = try pipeline.consumeAll(pipeline.topicAnalyzed).count
        var settings = ConsumerConfiguration(client: pipeline.broker.configuration, groupId: "\(pipeline.prefix)-analyzer")
        settings.enableAutoCommit = false
        let reader = KafkaConsumer(configuration: settings)
        let partitions = (0..<3).map { TopicPartition(pipeline.topicMined, Int32($0)) }
        let committed = try await reader.committed(partitions)
        await reader.close()
        #expect(committed.values.reduce(0, +) == Int64(produced))
        #expect(produced < total, "SIGTERM should land mid-run")

        try await pipeline.restart("analyzer")
        try await pipeline.waitSettled(files: total)
        #expect(try pipeline.consumeAll(pipeline.topicAnalyzed).count == total, "nothing analyzed twice after a clean drain")
        let summary = try await pipeline.store().summary()
        #expect(summary.files == total)
        #expect(summary.containsEdges == total)
        #expect(summary.referencesEdges == expected.referenceEdges * copies)
        await pipeline.stopAll()
    }
}
