import Foundation
import KafkaClient
import Testing

/// Every broker of a 3-broker librdkafka mock cluster taken down in the middle of a run and
/// brought back (a cluster restart that keeps its logs, which Tansu's memory storage cannot do):
/// the running pipeline reconnects, resumes and completes, with no duplicate in the graph.
@Suite(.serialized)
struct BrokerRestartTests {
    @Test func pipelineResumesAfterTheBrokersComeBack() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let pipeline = try await PipelineHarness(name: "restart", mock: mock)
        defer { Task { await pipeline.stopAll() } }
        try await pipeline.start()
        let expected = try SampleExpectations()
        let copies = 40
        let total = expected.files.count * copies
        let repo = try pipeline.generateRepo(copies: copies)
        #expect(try pipeline.trigger(repo: "big", path: repo).status == 202)

        // Down right after ingestion's record is acknowledged: the miner, analyzer and writer
        // are then mid-stream whatever the machine's load (their stats only move per record,
        // too coarse to catch a 520-file run in the middle).
        for broker in Int32(1)...3 { try mock.setDown(broker) }
        let appliedBeforeOutage = try await pipeline.store().summary().files
        try await Task.sleep(for: .seconds(3))
        for broker in Int32(1)...3 { try mock.setUp(broker) }

        try await pipeline.waitSettled(files: total, timeout: .seconds(120))
        let summary = try await pipeline.store().summary()
        // Mid-run: the writer had work left (consumers may go on from what they prefetched, but
        // their commits, acknowledgments and next fetches wait for the brokers).
        #expect(appliedBeforeOutage < total, "the outage should land mid-run")
        #expect(summary.files == total)
        #expect(summary.containsEdges == total)
        #expect(summary.referencesEdges == expected.referenceEdges * copies)
        #expect(summary.functions == expected.functionCount * copies)
        for name in PipelineHarness.serviceNames {
            #expect(try pipeline.service(name).process.isRunning, "\(name) survived the outage")
        }
        await pipeline.stopAll()
    }
}
