import Foundation
import KafkaClient
import PipelineKit
import PipelineModels
import Synchronization
import Testing

/// The writer against a Dgraph that goes away (answers 503) and comes back: what arrives during
/// the outage is retried with backoff and then dead-lettered with its attempts (never silently
/// dropped), and what arrives after it is applied.
@Suite(.serialized)
struct GraphStoreOutageTests {
    @Test func dgraphOutageIsRetriedThenDeadLetteredAndRecoveryApplies() async throws {
        let down = Mutex(true)
        let dgraph = try FakeDgraphServer { request in
            if request.target.hasPrefix("/alter") { return (200, DgraphAnswers.alterDone) }
            return down.withLock { $0 } ? (503, "upstream unavailable") : (200, DgraphAnswers.mutateDone)
        }
        defer { dgraph.stop() }
        let pipeline = try await PipelineHarness(name: "dgraph-outage")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start(["graph-writer"], overrides: ["DGRAPH_URL": dgraph.url.absoluteString])

        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: pipeline.broker.configuration))
        func publish(_ file: String) async throws {
            let analyzed = CodeAnalyzed(repo: "shop", file: file, lang: .sql, findings: .sql(tables: ["raw.orders"]))
            try await producer.send(topic: pipeline.topicAnalyzed, key: Array("shop".utf8), value: Array(try analyzed.encodeJSON()))
        }
        try await publish("during/a.sql")
        try await publish("during/b.sql")
        try await pipeline.eventually("both outage records dead-lettered") {
            try pipeline.writerHealth()["dead_lettered"] as? Int == 2
        }
        try await pipeline.eventually("the dead letters written") { try pipeline.consumeAll(pipeline.topicAnalyzed + ".dlq").count == 2 }
        let letters = try pipeline.consumeAll(pipeline.topicAnalyzed + ".dlq")
        #expect(letters.count == 2)
        for letter in letters {
            let envelope = try JSONDecoder().decode(DeadLetterEnvelope.self, from: Data((letter["value"] as? String ?? "").utf8))
            #expect(envelope.attempts == 3, "MAX_ATTEMPTS=3")
            #expect(envelope.error.contains("503") || envelope.error.contains("transient"), "\(envelope.error)")
            #expect(envelope.topic == pipeline.topicAnalyzed)
        }
        let stats = try pipeline.service("graph-writer").stats()
        #expect(stats.retries == 4, "two retries per record")
        let mutatesDuringOutage = dgraph.requests.filter { $0.target.hasPrefix("/mutate") }.count
        #expect(mutatesDuringOutage >= 6, "every attempt reached the store")

        down.withLock { $0 = false }
        try await publish("after/c.sql")
        try await pipeline.eventually("the record after the outage applied") {
            try pipeline.writerHealth()["applied"] as? Int == 1
        }
        let lastMutate = try #require(dgraph.requests.last { $0.target.hasPrefix("/mutate") })
        #expect(lastMutate.target.contains("commitNow=true"))
        #expect(lastMutate.body.contains("file:shop/after/c.sql"))
        try await pipeline.eventually("the acknowledgment written") { try pipeline.consumeAll(pipeline.topicApply).count == 1 }
        await producer.close()
        await pipeline.stopAll()
    }
}
