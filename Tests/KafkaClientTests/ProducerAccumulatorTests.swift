@testable import KafkaClient
import KafkaProtocol
import Testing

/// The retry and sequence bookkeeping, driven directly (no broker can be told to fail on cue).
@Suite struct ProducerAccumulatorTests {
    /// By default every record is its own batch; `configure` changes that.
    static func makeState(_ reports: AsyncStream<DeliveryReport>.Continuation,
                          configure: (inout ProducerConfiguration) -> Void = { $0.batchSizeBytes = 1 }) -> AccumulatorState {
        var config = ProducerConfiguration(client: ClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: 1)]))
        config.retryBackoffMs = 1
        config.retryBackoffMaxMs = 1
        configure(&config)
        var state = AccumulatorState(config: config, reports: reports)
        state.partitionCounts["t"] = 1
        state.producerId = 42
        state.producerEpoch = 0
        return state
    }

    static func enqueue(_ state: inout AccumulatorState, _ n: Int) {
        enqueue(&state, values: 0...(n - 1), at: 1)
    }

    /// One record per value (its low byte), each reserving 30 bytes, appended at clock `now`.
    static func enqueue(_ state: inout AccumulatorState, values: ClosedRange<Int>, at now: UInt64) {
        for value in values {
            let id = state.nextReportId
            state.nextReportId += 1
            _ = state.tryReserve(30)
            _ = state.append(topic: "t", partition: 0, keyPartition: nil, key: nil, value: [UInt8(truncatingIfNeeded: value)],
                             headers: [], timestamp: 1_000, size: 30, completion: .report(id), now: now)
        }
    }

    /// Past its linger, an open batch is sealed to wait for a free in-flight slot only when no
    /// other batch of its partition is waiting already; otherwise it keeps taking records and
    /// goes out whole once the waiting one has left.
    @Test func anOpenBatchKeepsFillingWhileAnotherWaitsForASlot() async throws {
        let (_, continuation) = AsyncStream<DeliveryReport>.makeStream()
        var state = Self.makeState(continuation) { config in
            config.lingerMs = 1
            config.maxInFlightPerPartition = 1
        }
        let ms: UInt64 = 1_000_000
        let tp = TopicPartition(topic: "t", partition: 0)
        func add(_ values: ClosedRange<Int>, at now: UInt64) { Self.enqueue(&state, values: values, at: now) }
        add(0...0, at: 0)
        let first = state.drain(now: 2 * ms)
        #expect(first.map(\.records.count) == [1])
        add(1...50, at: 3 * ms)
        #expect(state.drain(now: 100 * ms).isEmpty, "the only slot is taken: 1...50 sealed to wait")
        add(51...60, at: 101 * ms)
        #expect(state.drain(now: 200 * ms).isEmpty, "one batch waits already: 51... stays open")
        add(61...61, at: 201 * ms)
        state.settle([(first[0].id, tp, .success(baseOffset: 0, logAppendTime: -1))], now: 202 * ms)
        let second = state.drain(now: 202 * ms)
        #expect(second.map(\.records.count) == [50])
        state.settle([(second[0].id, tp, .success(baseOffset: 1, logAppendTime: -1))], now: 203 * ms)
        let third = state.drain(now: 203 * ms)
        #expect(third.map(\.records.count) == [11], "everything that arrived while 1...50 waited, in one batch")
        #expect(third.first?.baseSequence == 51)
        continuation.finish()
    }

    @Test func retriesKeepSequencesAndOrderAndEarlyOutOfOrderIsRetried() async throws {
        let (stream, continuation) = AsyncStream<DeliveryReport>.makeStream()
        var state = Self.makeState(continuation)
        Self.enqueue(&state, 3)
        let first = state.drain(now: 10)
        #expect(first.map(\.baseSequence) == [0, 1, 2])
        #expect(first.allSatisfy { $0.producerId == 42 })
        let tp = TopicPartition(topic: "t", partition: 0)
        let notLeader = KafkaClientError.partition(.notLeaderOrFollower, topic: "t", partition: 0, broker: nil)
        let ooo = KafkaClientError.partition(.outOfOrderSequenceNumber, topic: "t", partition: 0, broker: nil)
        // Answers arrive out of order; the batch behind the failed one was merely early.
        state.settle([(first[2].id, tp, .outOfOrder(ooo)), (first[1].id, tp, .outOfOrder(ooo))], now: 20)
        state.settle([(first[0].id, tp, .retry(notLeader))], now: 20)
        #expect(!state.needsNewEpoch)
        let retried = state.drain(now: 1_000_000_000)
        #expect(retried.map(\.id) == first.map(\.id))
        #expect(retried.map(\.baseSequence) == [0, 1, 2])
        state.settle(retried.enumerated().map { ($1.id, tp, .success(baseOffset: Int64(100 + $0), logAppendTime: -1)) }, now: 30)
        continuation.finish()
        var offsets: [Int64] = []
        for await report in stream { offsets.append(try report.result.get().offset) }
        #expect(offsets == [100, 101, 102])
        #expect(state.isIdle && state.usedBytes == 0)
    }

    @Test func outOfOrderAtTheExpectedSequenceResendsTheRefusedBatchUnderANewEpoch() async throws {
        let (stream, continuation) = AsyncStream<DeliveryReport>.makeStream()
        var state = Self.makeState(continuation)
        Self.enqueue(&state, 2)
        let tp = TopicPartition(topic: "t", partition: 0)
        var batches = state.drain(now: 10)
        let refused = batches[1].id
        state.settle([(batches[0].id, tp, .success(baseOffset: 0, logAppendTime: -1))], now: 11)
        let ooo = KafkaClientError.partition(.outOfOrderSequenceNumber, topic: "t", partition: 0, broker: nil)
        state.settle([(batches[1].id, tp, .outOfOrder(ooo))], now: 12)
        #expect(state.needsNewEpoch)
        Self.enqueue(&state, 1)
        #expect(state.drain(now: 1_000_000_000).isEmpty)  // nothing goes out until the new epoch
        state.adoptProducerId(43, epoch: 0)
        batches = state.drain(now: 2_000_000_000)
        // The refused batch goes first, then the new one, both sequenced afresh.
        #expect(batches.first?.id == refused)
        #expect(batches.map(\.baseSequence) == [0, 1])
        #expect(batches.map(\.producerId) == [43, 43])
        state.settle(batches.enumerated().map { ($1.id, tp, .success(baseOffset: Int64(1 + $0), logAppendTime: -1)) }, now: 2_000_000_001)
        continuation.finish()
        var offsets: [Int64] = []
        for await report in stream { offsets.append(try report.result.get().offset) }
        #expect(offsets == [0, 1, 2])
    }

    @Test func retriesStopAtTheDeliveryTimeoutWithATypedError() async throws {
        let (stream, continuation) = AsyncStream<DeliveryReport>.makeStream()
        var state = Self.makeState(continuation)
        Self.enqueue(&state, 1)
        let tp = TopicPartition(topic: "t", partition: 0)
        let batch = state.drain(now: 10)[0]
        let timeout = UInt64(state.config.deliveryTimeoutMs) * 1_000_000
        state.settle([(batch.id, tp, .retry(.transport(.closed)))], now: timeout + 10)
        continuation.finish()
        for await report in stream {
            guard case let .failure(error) = report.result, case .timedOut = error else {
                Issue.record("expected a delivery timeout, got \(report.result)")
                continue
            }
        }
        #expect(state.needsNewEpoch)  // the abandoned sequence leaves a gap
    }
}
