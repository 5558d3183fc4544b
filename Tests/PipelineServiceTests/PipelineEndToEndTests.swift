import Foundation
import GraphWriter
import KafkaClient
import PipelineKit
import Testing

/// The four services as processes against a real Tansu: the sample repository end to end.
@Suite(.serialized)
struct PipelineEndToEndTests {
    @Test func sampleRepositoryEndToEnd() async throws {
        let pipeline = try await PipelineHarness(name: "e2e")
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start()
        let expected = try SampleExpectations()
        let before = try pipeline.writerHealth()
        #expect(before["applied"] as? Int == 0)

        let response = try pipeline.trigger(repo: "shop", path: PipelineHarness.sampleRepo)
        #expect(response.status == 202, "\(response.body)")
        let accepted = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
        #expect(accepted["topic"] as? String == pipeline.topicIngested)
        #expect((accepted["offset"] as? Int ?? -1) >= 0)

        try await pipeline.waitSettled(files: expected.files.count)

        // The graph holds exactly the expected files, function counts and table edges.
        let store = try pipeline.store()
        let files = try await store.files(inRepo: "shop")
        #expect(Set(files.map(\.path)) == Set(expected.files.keys))
        for file in files {
            let want = try #require(expected.files[file.path])
            #expect(file.lang == want.lang, "\(file.path)")
            #expect(file.error == want.error, "\(file.path)")
            if want.lang == "python" && want.error == nil { #expect(file.functionCount == want.functions, "\(file.path)") }
            #expect(file.tables.sorted() == want.tables.sorted(), "\(file.path)")
            #expect(file.size != nil && file.hash?.count == 64, "\(file.path) carries size and hash")
        }
        let summary = try await store.summary()
        #expect(summary.files == expected.files.count)
        #expect(summary.containsEdges == expected.files.count)
        #expect(summary.referencesEdges == expected.referenceEdges)
        #expect(summary.functions == expected.functionCount)
        let ordersReaders = try await store.filesReferencing(table: "stg_orders")
        #expect(ordersReaders.map(\.path) == ["models/marts/fct_orders.sql"])

        // kafka-admin shows one code.analyzed message per file, keyed by the repo.
        let analyzed = try pipeline.consumeAll(pipeline.topicAnalyzed)
        #expect(analyzed.count == expected.files.count)
        #expect(Set(analyzed.compactMap { $0["key"] as? String }) == ["shop"])
        let acks = try pipeline.consumeAll(pipeline.topicApply)
        #expect(acks.count == expected.files.count)

        // The writer's counters grew by the file count.
        let after = try pipeline.writerHealth()
        #expect(after["applied"] as? Int == expected.files.count)
        #expect(after["consumed"] as? Int == expected.files.count)
        #expect(after["dead_lettered"] as? Int == 0)
        let metrics = try #require(try pipeline.service("graph-writer").get("/metrics"))
        #expect(metrics.body.contains("pipeline_records_consumed_total{service=\"graph-writer\"} \(expected.files.count)"))
        #expect(metrics.body.contains("pipeline_processing_seconds_bucket"))
        #expect(metrics.body.contains("pipeline_consumer_lag{service=\"graph-writer\",topic=\"\(pipeline.topicAnalyzed)\""))
        await pipeline.stopAll()
    }
}
