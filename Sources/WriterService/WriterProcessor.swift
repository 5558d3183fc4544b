import Foundation
import GraphWriter
import KafkaClient
import KafkaProtocol
import Logging
import PipelineKit
import PipelineModels
import Synchronization

extension GraphStoreError: TransientJudged {}

/// The writer's own counters for `GET /writer/health`.
public final class WriterCounters: Sendable {
    public struct Snapshot: Codable, Sendable, Equatable {
        public var consumed: Int
        public var applied: Int
        public var failed: Int
        public var deadLettered: Int
        /// Last offset applied or dead-lettered per "topic/partition".
        public var lastOffsets: [String: Int64]
        public var store: String

        enum CodingKeys: String, CodingKey {
            case consumed, applied, failed, store
            case deadLettered = "dead_lettered"
            case lastOffsets = "last_offsets"
        }
    }

    private struct State {
        var applied = 0
        var lastOffsets: [String: Int64] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func applied(_ record: ConsumerRecord) {
        state.withLock { s in
            s.applied += 1
            s.lastOffsets["\(record.topic)/\(record.partition)"] = record.offset
        }
    }

    public func snapshot(metrics: PipelineMetrics.Stats, store: String) -> Snapshot {
        state.withLock { s in
            Snapshot(consumed: metrics.consumed, applied: s.applied, failed: metrics.errors, deadLettered: metrics.deadLettered,
                     lastOffsets: s.lastOffsets, store: store)
        }
    }
}

/// The acknowledgment published to `graph.apply` for each applied file.
public struct GraphApplied: Codable, Sendable, Equatable {
    public var repo: String
    public var file: String
    public var lang: String
    public var hash: String?
    public var status: String
    /// The `code.analyzed` record applied, as "topic/partition/offset".
    public var source: String
    public var ts: String
}

/// code.analyzed → idempotent upsert into the graph store → graph.apply acknowledgment.
public struct WriterProcessor: RecordProcessor {
    let settings: ServiceSettings
    let store: any GraphStore
    let counters: WriterCounters

    public init(settings: ServiceSettings, store: any GraphStore, counters: WriterCounters) {
        self.settings = settings
        self.store = store
        self.counters = counters
    }

    public func process(_ record: ConsumerRecord, emit: OutputSink) async throws {
        let analyzed = try record.message(CodeAnalyzed.self)
        let size = record.header(PipelineHeaders.size).flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let hash = record.header(PipelineHeaders.hash).flatMap { Self.isSHA256Hex($0) ? $0 : nil }
        let file = GraphFile(repo: analyzed.repo, path: analyzed.file, lang: analyzed.lang, size: size, hash: hash,
                             findings: analyzed.findings)
        try await store.apply(file)
        counters.applied(record)
        let ack = GraphApplied(repo: analyzed.repo, file: analyzed.file, lang: analyzed.lang.rawValue, hash: hash, status: "applied",
                               source: "\(record.topic)/\(record.partition)/\(record.offset)", ts: Timestamp.now())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await emit(OutgoingRecord(topic: settings.topicGraphApply, key: analyzed.repo, value: Array(try encoder.encode(ack))))
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
