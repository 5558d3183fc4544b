import Foundation
import KafkaClient
import Synchronization

/// Counters and the processing-time histogram of one service, rendered as Prometheus text
/// exposition (`/metrics`) and as JSON (`/stats`, read by `make run` and the tests).
public final class PipelineMetrics: Sendable {
    /// Upper bounds of the processing-time histogram, in seconds.
    public static let buckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public struct Stats: Codable, Sendable, Equatable {
        public var service: String
        public var consumed = 0
        public var processed = 0
        public var produced = 0
        public var errors = 0
        public var retries = 0
        public var deadLettered = 0
        /// Wall clock (ms since the epoch) of the first and last record processed.
        public var firstRecordAtMs: Int64?
        public var lastRecordAtMs: Int64?
        public var inFlight = 0
        /// Committed offset per "topic/partition".
        public var committed: [String: Int64] = [:]
        /// Lag per "topic/partition": high watermark − position.
        public var lag: [String: Int64] = [:]
    }

    private struct State {
        var stats: Stats
        var bucketCounts = [Int](repeating: 0, count: PipelineMetrics.buckets.count)
        var durationSum = 0.0
        var durationCount = 0
    }

    private let state: Mutex<State>
    public let service: String

    public init(service: String) {
        self.service = service
        state = Mutex(State(stats: Stats(service: service)))
    }

    public func recordConsumed() {
        let now = Self.nowMs()
        state.withLock { s in
            s.stats.consumed += 1
            if s.stats.firstRecordAtMs == nil { s.stats.firstRecordAtMs = now }
        }
    }

    public func recordProcessed(seconds: Double) {
        let now = Self.nowMs()
        state.withLock { s in
            s.stats.processed += 1
            s.stats.lastRecordAtMs = now
            s.durationSum += seconds
            s.durationCount += 1
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { s.bucketCounts[i] += 1 }
        }
    }

    public func recordProduced(_ n: Int = 1) { state.withLock { $0.stats.produced += n } }
    public func recordError() { state.withLock { $0.stats.errors += 1 } }
    public func recordRetry() { state.withLock { $0.stats.retries += 1 } }
    public func recordDeadLettered() { state.withLock { $0.stats.deadLettered += 1 } }
    public func setInFlight(_ n: Int) { state.withLock { $0.stats.inFlight = n } }
    public func setCommitted(_ offsets: [TopicPartition: Int64]) {
        state.withLock { s in
            for (tp, offset) in offsets { s.stats.committed["\(tp.topic)/\(tp.partition)"] = offset }
        }
    }

    public func snapshot(lag: [TopicPartition: Int64] = [:]) -> Stats {
        var stats = state.withLock { $0.stats }
        for (tp, value) in lag { stats.lag["\(tp.topic)/\(tp.partition)"] = value }
        return stats
    }

    /// Prometheus text exposition format 0.0.4.
    public func prometheusText(lag: [TopicPartition: Int64]) -> String {
        let (stats, buckets, sum, count) = state.withLock { ($0.stats, $0.bucketCounts, $0.durationSum, $0.durationCount) }
        let label = "service=\"\(Self.escape(service))\""
        var out = ""
        func counter(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name){\(label)} \(value)\n"
        }
        counter("pipeline_records_consumed_total", "Records received from the source topic.", stats.consumed)
        counter("pipeline_records_processed_total", "Records finished (outputs queued or dead-lettered).", stats.processed)
        counter("pipeline_records_produced_total", "Records published to output topics.", stats.produced)
        counter("pipeline_errors_total", "Failed processing attempts.", stats.errors)
        counter("pipeline_retries_total", "Processing attempts that were retries.", stats.retries)
        counter("pipeline_dead_lettered_total", "Records sent to a dead-letter topic.", stats.deadLettered)
        out += "# HELP pipeline_records_in_flight Records consumed whose outputs are not all acknowledged.\n"
        out += "# TYPE pipeline_records_in_flight gauge\npipeline_records_in_flight{\(label)} \(stats.inFlight)\n"
        out += "# HELP pipeline_processing_seconds Time to process one record, retries included.\n"
        out += "# TYPE pipeline_processing_seconds histogram\n"
        for (i, bound) in Self.buckets.enumerated() {
            out += "pipeline_processing_seconds_bucket{\(label),le=\"\(bound)\"} \(buckets[i])\n"
        }
        out += "pipeline_processing_seconds_bucket{\(label),le=\"+Inf\"} \(count)\n"
        out += "pipeline_processing_seconds_sum{\(label)} \(sum)\n"
        out += "pipeline_processing_seconds_count{\(label)} \(count)\n"
        out += "# HELP pipeline_consumer_lag Records behind the partition's high watermark.\n"
        out += "# TYPE pipeline_consumer_lag gauge\n"
        for (tp, value) in lag.sorted(by: { $0.key < $1.key }) {
            out += "pipeline_consumer_lag{\(label),topic=\"\(Self.escape(tp.topic))\",partition=\"\(tp.partition)\"} \(value)\n"
        }
        return out
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
