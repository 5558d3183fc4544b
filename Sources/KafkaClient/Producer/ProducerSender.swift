import KafkaProtocol

/// The sender: one task per producer that seals due batches, gets a producer id, routes
/// batches to partition leaders and runs one Produce request per broker per round.
extension KafkaProducer {
    func runSender() async {
        await withDiscardingTaskGroup { group in
            while true {
                let now = IOLoop.monotonicNanos()
                let (batches, needId, finished, wakeAt) = state.withLock { state in
                    let batches = state.drain(now: now)
                    let needId = state.idempotent && state.fatal == nil && !state.isIdle
                        && (state.producerId < 0 || (state.needsNewEpoch && !state.anyInFlight))
                    return (batches, needId, state.closing && state.isIdle, state.senderWakeAt)
                }
                if finished { break }
                if needId {
                    await obtainProducerId()
                    continue
                }
                if batches.isEmpty {
                    await signal.wait(until: wakeAt)
                    continue
                }
                await route(batches, group: &group)
            }
        }
    }

    /// Groups batches by their partition's leader and starts one Produce request per leader.
    private func route(_ batches: [ProducerBatch], group: inout DiscardingTaskGroup) async {
        var byLeader: [Int32: [ProducerBatch]] = [:]
        var unroutable: [(id: UInt64, tp: TopicPartition, outcome: BatchOutcome)] = []
        var leaders: [String: Result<[Int32], KafkaClientError>] = [:]
        for batch in batches {
            let topic = batch.tp.topic
            if leaders[topic] == nil {
                do {
                    let info = try await cluster.topicMetadata(topic)
                    let size = Int(max(-1, info.partitions.map(\.partition).max() ?? -1) + 1)
                    var byPartition = [Int32](repeating: -1, count: size)
                    for p in info.partitions where p.partition >= 0 { byPartition[Int(p.partition)] = p.leader }
                    leaders[topic] = .success(byPartition)
                } catch {
                    leaders[topic] = .failure(Self.typed(error))
                }
            }
            switch leaders[topic]! {
            case let .success(byPartition):
                let index = Int(batch.tp.partition)
                if index < byPartition.count, byPartition[index] >= 0 {
                    let leader = byPartition[index]
                    if state.withLock({ $0.claimLeader(leader, for: batch.tp) }) {
                        byLeader[leader, default: []].append(batch)
                    } else {
                        // Earlier batches are still in flight to the old leader: this one waits
                        // and is resent after them, in sequence order.
                        unroutable.append((batch.id, batch.tp, .retry(.partition(.notLeaderOrFollower, topic: topic, partition: batch.tp.partition, broker: nil))))
                    }
                } else {
                    unroutable.append((batch.id, batch.tp, .retry(.partition(.leaderNotAvailable, topic: topic, partition: batch.tp.partition, broker: nil))))
                }
            case let .failure(error):
                unroutable.append((batch.id, batch.tp, .retry(error)))
            }
        }
        if !unroutable.isEmpty {
            for topic in Set(unroutable.map(\.tp.topic)) { await cluster.invalidate(topic: topic) }
            settle(unroutable)
        }
        for (leader, batches) in byLeader {
            // Produce v3+ takes exactly one batch per partition: a partition's second batch
            // goes in the next request (sent in order on the same connection).
            var rounds: [[ProducerBatch]] = []
            var round: [TopicPartition: Int] = [:]
            for batch in batches {
                let index = round[batch.tp, default: 0]
                round[batch.tp] = index + 1
                if index == rounds.count { rounds.append([]) }
                rounds[index].append(batch)
            }
            let gate = sinkGate(for: leader)
            for batches in rounds {
                let ticket = SinkTicket(gate: gate)
                group.addTask { await self.produce(batches, to: leader, ticket: ticket) }
            }
        }
    }

    /// One Produce request to `leader` for `batches`, then settles each batch's outcome.
    private func produce(_ batches: [ProducerBatch], to leader: Int32, ticket: SinkTicket) async {
        defer { ticket.pass() }
        var results: [(id: UInt64, tp: TopicPartition, outcome: BatchOutcome)] = []
        var request = ProduceRequest()
        request.acks = configuration.acks.rawValue
        request.timeoutMs = Int32(clamping: configuration.requestTimeoutMs)
        var sent: [ProducerBatch] = []
        for batch in batches {
            do {
                var data = ProduceRequest.PartitionProduceData()
                data.index = batch.tp.partition
                data.records = try batch.encode(codec: configuration.compression)
                if let t = request.topicData.firstIndex(where: { $0.name == batch.tp.topic }) {
                    request.topicData[t].partitionData.append(data)
                } else {
                    var topic = ProduceRequest.TopicProduceData()
                    topic.name = batch.tp.topic
                    topic.partitionData = [data]
                    request.topicData.append(topic)
                }
                sent.append(batch)
            } catch {
                results.append((batch.id, batch.tp, .failed(.invalidConfiguration("cannot encode a batch for \(batch.tp.topic)[\(batch.tp.partition)]: \(error)"))))
            }
        }
        if !sent.isEmpty {
            results += await exchange(request, batches: sent, leader: leader, ticket: ticket)
        }
        if results.contains(where: { $0.outcome.invalidatesMetadata }) {
            for topic in Set(results.filter { $0.outcome.invalidatesMetadata }.map(\.tp.topic)) {
                await cluster.invalidate(topic: topic)
            }
        }
        settle(results)
    }

    private func exchange(_ request: ProduceRequest, batches: [ProducerBatch], leader: Int32, ticket: SinkTicket) async
        -> [(id: UInt64, tp: TopicPartition, outcome: BatchOutcome)] {
        let session: BrokerSession
        do {
            await ticket.gate.waitTurn(ticket.number)
            session = try await cluster.session(for: leader)
        } catch {
            ticket.pass()
            let error = Self.typed(error)
            return batches.map { ($0.id, $0.tp, error.isRetriable || Self.isConnectionError(error) ? .retry(error) : .failed(error)) }
        }
        do {
            if configuration.acks == .none {
                defer { ticket.pass() }
                try await session.sendWithoutResponse(request)
                return batches.map { ($0.id, $0.tp, .success(baseOffset: -1, logAppendTime: -1)) }
            }
            let (response, _) = try await session.send(request, timeoutMs: configuration.requestTimeoutMs + 5_000, queued: ticket.pass)
            return batches.map { batch in
                let answer = response.responses.first { $0.name == batch.tp.topic }?
                    .partitionResponses.first { $0.index == batch.tp.partition }
                guard let answer else {
                    let error = KafkaClientError.protocolViolation(broker: session.connection.peer, detail: "no Produce result for \(batch.tp.topic)[\(batch.tp.partition)]")
                    return (batch.id, batch.tp, .retry(error))
                }
                let code = KafkaErrorCode(rawValue: answer.errorCode)
                switch code {
                case .none:
                    return (batch.id, batch.tp, .success(baseOffset: answer.baseOffset, logAppendTime: answer.logAppendTimeMs))
                case .duplicateSequenceNumber:
                    // The broker already has this batch (an earlier attempt landed): a success.
                    return (batch.id, batch.tp, .success(baseOffset: answer.baseOffset, logAppendTime: answer.logAppendTimeMs))
                default:
                    let error = KafkaClientError.partition(code, topic: batch.tp.topic, partition: batch.tp.partition, broker: session.connection.peer)
                    return (batch.id, batch.tp, BatchOutcome.classify(code, error))
                }
            }
        } catch {
            ticket.pass()
            let error = Self.typed(error)
            // The connection is in doubt: drop it so the next attempt reconnects.
            await cluster.sessionFailed(session)
            let outcome: BatchOutcome = error.isRetriable || Self.isConnectionError(error) ? .retry(error) : .failed(error)
            return batches.map { ($0.id, $0.tp, outcome) }
        }
    }

    private func settle(_ results: [(id: UInt64, tp: TopicPartition, outcome: BatchOutcome)]) {
        let now = IOLoop.monotonicNanos()
        state.withLock { $0.settle(results, now: now) }
        signal.signal()
    }

    /// InitProducerId (any broker): a first producer id, or a new epoch after a sequence gap.
    /// Retriable failures back off and let the loop expire batches meanwhile; a permanent one
    /// fails every pending record and the producer.
    private func obtainProducerId() async {
        let (currentId, currentEpoch) = state.withLock { ($0.producerId, $0.producerEpoch) }
        var request = InitProducerIdRequest()
        request.transactionalId = nil
        request.transactionTimeoutMs = 60_000
        do {
            let session = try await cluster.anySession()
            // v3+ (KIP-360) lets an idempotent producer bump its own epoch; older brokers get a new id.
            let version = try session.negotiatedVersion(InitProducerIdRequest.self)
            request.producerId = version >= 3 ? currentId : -1
            request.producerEpoch = version >= 3 ? currentEpoch : -1
            let (response, _) = try await session.send(request)
            let code = KafkaErrorCode(rawValue: response.errorCode)
            if code == .none {
                state.withLock { $0.adoptProducerId(response.producerId, epoch: response.producerEpoch) }
                return
            }
            if code == .invalidProducerEpoch || code == .producerFenced || code == .unknownProducerId {
                // The bump was refused: start over with a fresh producer id.
                state.withLock { $0.producerId = -1; $0.producerEpoch = -1 }
                return
            }
            let error = KafkaClientError.broker(code, broker: session.connection.peer, context: "InitProducerId")
            if currentId >= 0 && !code.isRetriable {
                // Tansu 0.6 answers UNKNOWN_SERVER_ERROR to an epoch bump (KIP-360) without a
                // transactional id: a fresh producer id serves the same purpose.
                state.withLock { $0.producerId = -1; $0.producerEpoch = -1 }
                return
            }
            if !code.isRetriable { failProducer(error); return }
        } catch let error as KafkaClientError {
            if case .closed = error { failProducer(error); return }
            if !(error.isRetriable || Self.isConnectionError(error)) { failProducer(error); return }
        } catch {
            failProducer(Self.typed(error))
            return
        }
        await signal.wait(until: IOLoop.monotonicNanos() + configuration.backoffNanos(attempt: 3))
    }

    private func failProducer(_ error: KafkaClientError) {
        state.withLock { state in
            state.fatal = error
            state.failAll(error)
        }
    }

    static func typed(_ error: any Error) -> KafkaClientError {
        if let error = error as? KafkaClientError { return error }
        if let error = error as? TransportError { return .transport(error) }
        if error is CancellationError { return .closed }
        return .protocolViolation(broker: "?", detail: "\(error)")
    }

    static func isConnectionError(_ error: KafkaClientError) -> Bool {
        switch error {
        case .transport, .noBrokerReachable, .timedOut: return true
        default: return false
        }
    }
}
