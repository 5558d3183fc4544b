import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import PipelineModels
import ServiceLifecycle
import Synchronization

/// The consume → process → produce loop, at-least-once. Records are processed one at a time in
/// delivery order (so a repository's outputs keep their order); their outputs are queued on the
/// producer without waiting, and a source offset is committed (every `commitIntervalMs`) only
/// once the record and every record before it on its partition have all outputs acknowledged.
/// Failed records are retried with backoff, then dead-lettered; a dead letter is an output like
/// any other. A delivery the producer gives up on stops the loop without committing past it.
///
/// As a `Service`: on graceful shutdown (SIGTERM/SIGINT) it stops fetching, finishes the record
/// in hand, waits for the outstanding acknowledgments, commits, leaves the group and closes the
/// producer.
public final class PipelineLoop: Service, Sendable {
    public let sourceTopic: String
    public let consumer: KafkaConsumer
    public let producer: KafkaProducer
    public let cluster: KafkaCluster
    public let metrics: PipelineMetrics
    let processor: any RecordProcessor
    let settings: ServiceSettings
    let logger: Logger
    let retry: RetryPolicy
    public let commitIntervalMs = 200
    /// Records in flight (consumed, outputs unacknowledged) before consumption pauses.
    public let maxInFlight = 2_000
    /// How long shutdown waits for outstanding acknowledgments.
    public let drainTimeoutMs = 30_000

    private struct Shared {
        var tracker = OffsetTracker()
        var tickets: [UInt64: OffsetTracker.Ticket] = [:]
        /// Reports that arrived before `enqueue` returned their id.
        var early: [UInt64: Bool] = [:]
        var fatal: KafkaClientError?
        var consumeTask: Task<Void, Never>?
        var stopRequested = false
    }

    private let shared = Mutex(Shared())

    public init(sourceTopic: String, processor: any RecordProcessor, settings: ServiceSettings,
                metrics: PipelineMetrics, logger: Logger) throws {
        self.sourceTopic = sourceTopic
        self.processor = processor
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        retry = RetryPolicy(maxAttempts: settings.maxAttempts, baseDelayMs: settings.retryBackoffMs)
        cluster = KafkaCluster(configuration: try settings.clientConfiguration())
        consumer = KafkaConsumer(configuration: try settings.consumerConfiguration(), cluster: cluster)
        producer = try KafkaProducer(configuration: try settings.producerConfiguration(), cluster: cluster)
    }

    /// Lag per assigned partition (high watermark of the latest fetch − position).
    public func lag() -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for tp in consumer.assignment {
            if let hw = consumer.lastSeenHighWatermark(tp), let position = consumer.position(tp) {
                result[tp] = max(0, hw - position)
            }
        }
        return result
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await runUntilStopped()
        } onGracefulShutdown: {
            self.requestStop()
        }
    }

    /// Stops fetching; `run` then drains and returns.
    public func requestStop() {
        let task = shared.withLock { s -> Task<Void, Never>? in
            s.stopRequested = true
            return s.consumeTask
        }
        task?.cancel()
    }

    func runUntilStopped() async throws {
        logger.info("starting", metadata: ["topic": "\(sourceTopic)", "group": "\(settings.groupId)", "dry_run": "\(settings.dryRun)"])
        try await consumer.subscribe(topics: [sourceTopic])
        let deliveries = Task { await self.readDeliveryReports() }
        let events = Task { await self.readConsumerEvents() }
        let committer = Task { await self.commitPeriodically() }
        let consume = Task { await self.consume() }
        let stopAlready = shared.withLock { s -> Bool in
            s.consumeTask = consume
            return s.stopRequested
        }
        if stopAlready { consume.cancel() }
        await consume.value

        // Drain: what is queued goes out, its acknowledgments arrive, then one last commit.
        logger.info("stopping: draining in-flight records", metadata: ["in_flight": "\(inFlight)"])
        await producer.flush()
        let deadline = ContinuousClock.now + .milliseconds(drainTimeoutMs)
        while inFlight > 0, fatalError == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        committer.cancel()
        await committer.value
        await commitNow()
        await consumer.close()
        await producer.close()
        await deliveries.value
        events.cancel()
        await events.value
        await cluster.close()
        if let fatal = fatalError {
            logger.error("stopped after a delivery failure", metadata: ["error": "\(fatal)"])
            throw fatal
        }
        logger.info("stopped cleanly", metadata: ["committed": "\(metrics.snapshot().committed)"])
    }

    private var inFlight: Int { shared.withLock { $0.tracker.inFlight } }
    private var fatalError: KafkaClientError? { shared.withLock { $0.fatal } }

    // MARK: consuming

    private func consume() async {
        do {
            for try await record in consumer.records {
                // Process in a task of its own, which cancellation (the stop signal) does not
                // reach: the record in hand is finished, then the loop ends.
                await Task { await self.handle(record) }.value
                if Task.isCancelled || fatalError != nil { break }
                while inFlight >= maxInFlight, fatalError == nil, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
        } catch {
            logger.error("consuming failed", metadata: ["error": "\(error)"])
            let failure = Self.clientError(error)
            shared.withLock { if $0.fatal == nil { $0.fatal = failure } }
        }
    }

    static func clientError(_ error: any Error) -> KafkaClientError {
        (error as? KafkaClientError) ?? .invalidConfiguration("\(error)")
    }

    private func handle(_ record: ConsumerRecord) async {
        metrics.recordConsumed()
        let started = ContinuousClock.now
        let ticket = shared.withLock { $0.tracker.begin(record.topicPartition, offset: record.offset) }
        let sink = OutputSink { [self] output in try await self.publish(output, for: ticket) }
        var attempt = 1
        while true {
            do {
                try await processor.process(record, emit: sink)
                break
            } catch {
                metrics.recordError()
                let transient = ProcessingError.isTransient(error)
                let context: Logger.Metadata = [
                    "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
                    "attempt": "\(attempt)", "error": "\(error)", "transient": "\(transient)",
                ]
                if transient && attempt < retry.maxAttempts {
                    var rng = SystemRandomNumberGenerator()
                    let delay = retry.delayMs(afterAttempt: attempt, using: &rng)
                    logger.warning("processing failed, retrying", metadata: context.merging(["delay_ms": "\(delay)"]) { $1 })
                    metrics.recordRetry()
                    try? await Task.sleep(for: .milliseconds(delay))
                    attempt += 1
                    continue
                }
                logger.error("dead-lettering record", metadata: context)
                await deadLetter(record, error: error, attempts: attempt, ticket: ticket)
                break
            }
        }
        let inFlight = shared.withLock { s -> Int in
            s.tracker.seal(ticket)
            return s.tracker.inFlight
        }
        metrics.setInFlight(inFlight)
        metrics.recordProcessed(seconds: Self.seconds(ContinuousClock.now - started))
    }

    private func deadLetter(_ record: ConsumerRecord, error: any Error, attempts: Int, ticket: OffsetTracker.Ticket) async {
        let envelope = DeadLetterEnvelope(record: record, error: "\(error)", attempts: attempts, timestamp: Timestamp.now())
        let topic = settings.dlqTopic(for: record.topic)
        do {
            let value = try envelope.encodeJSON()
            var headers = [RecordHeader(key: "error", value: Array("\(error)".utf8))]
            headers.append(RecordHeader(key: "source", value: Array("\(record.topic)/\(record.partition)/\(record.offset)".utf8)))
            try await publish(OutgoingRecord(topic: topic, key: record.keyText, value: value, headers: headers), for: ticket)
            metrics.recordDeadLettered()
        } catch {
            // Without its dead letter the record must not be committed: stop, it is redelivered.
            logger.critical("cannot dead-letter", metadata: ["topic": "\(topic)", "error": "\(error)"])
            shared.withLock {
                if $0.fatal == nil { $0.fatal = Self.clientError(error) }
            }
        }
    }

    private func publish(_ output: OutgoingRecord, for ticket: OffsetTracker.Ticket) async throws {
        if settings.dryRun {
            logger.info("dry run: would produce", metadata: [
                "topic": "\(output.topic)", "key": "\(output.key.map { String(decoding: $0, as: UTF8.self) } ?? "")",
                "value": "\(String(decoding: output.value, as: UTF8.self))",
            ])
            return
        }
        shared.withLock { $0.tracker.addOutput(ticket) }
        let id: UInt64
        do {
            id = try await producer.enqueue(topic: output.topic, key: output.key, value: output.value, headers: output.headers)
        } catch {
            // Never queued: it owes no acknowledgment (the failed attempt is retried or dead-lettered).
            shared.withLock { $0.tracker.outputAcknowledged(ticket) }
            throw error
        }
        shared.withLock { s in
            if let succeeded = s.early.removeValue(forKey: id) {
                if succeeded { s.tracker.outputAcknowledged(ticket) }
            } else {
                s.tickets[id] = ticket
            }
        }
    }

    // MARK: background work

    private func readDeliveryReports() async {
        for await report in producer.deliveryReports {
            switch report.result {
            case .success:
                metrics.recordProduced()
                shared.withLock { s in
                    if let ticket = s.tickets.removeValue(forKey: report.id) {
                        s.tracker.outputAcknowledged(ticket)
                    } else {
                        s.early[report.id] = true
                    }
                }
            case .failure(let error):
                logger.critical("delivery failed: stopping without committing past it",
                                metadata: ["topic": "\(report.topic)", "partition": "\(report.partition)", "error": "\(error)"])
                let task = shared.withLock { s -> Task<Void, Never>? in
                    if s.tickets.removeValue(forKey: report.id) == nil { s.early[report.id] = false }
                    if s.fatal == nil { s.fatal = error }
                    return s.consumeTask
                }
                task?.cancel()
            }
        }
    }

    private func readConsumerEvents() async {
        for await event in consumer.events {
            switch event {
            case .assigned(let partitions):
                logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.description))"])
            case .revoked(let partitions):
                logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description))"])
                shared.withLock { $0.tracker.revoke(partitions) }
            case .error(let error):
                logger.warning("consumer error", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
        }
    }

    private func commitPeriodically() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(commitIntervalMs)) } catch { return }
            await commitNow()
            metrics.setInFlight(inFlight)
        }
    }

    private func commitNow() async {
        let pending = shared.withLock { $0.tracker.pendingCommits }
        guard !pending.isEmpty else { return }
        do {
            try await consumer.commit(pending)
            shared.withLock { $0.tracker.markCommitted(pending) }
            metrics.setCommitted(pending)
            logger.debug("committed", metadata: ["offsets": "\(pending.map { "\($0.key)=\($0.value)" }.sorted())"])
        } catch {
            logger.warning("commit failed (retried next interval)", metadata: ["error": "\(error)"])
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
