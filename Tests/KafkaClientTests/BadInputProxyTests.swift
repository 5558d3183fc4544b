import Foundation
import KafkaClient
import KafkaProtocol
import Synchronization
import Testing

/// Bad input from a broker, made by the tests' own proxy in front of Tansu: a connection cut
/// part-way through a request or a response, an answer under a wrong correlation id, a Fetch
/// answer whose records were damaged. Each ends in a typed error or a clean retry, never a
/// crash, a hang or a bogus record.
@Suite struct BadInputProxyTests {
    static let metadataKey: Int16 = 3
    static let fetchKey: Int16 = 1

    func proxied(_ broker: TansuBroker) throws -> (ProxiedCluster, ClientConfiguration) {
        let proxy = try ProxiedCluster(bootstrap: broker.brokers)
        var config = try ClientConfiguration(brokers: proxy.bootstrap)
        config.clientId = "swift-kafka-proxy-tests"
        config.requestTimeoutMs = 15_000
        return (proxy, config)
    }

    @Test(arguments: [FaultProxy.Direction.request, .response])
    func aConnectionCutMidFrameIsATypedRetriableError(direction: FaultProxy.Direction) async throws {
        let broker = try await TansuBroker.shared()
        let (proxy, config) = try proxied(broker)
        defer { proxy.stop() }
        let session = try await BrokerSession.open(host: "127.0.0.1", port: proxy.proxies[0].port)
        defer { session.close() }
        proxy.setRule { frame in
            frame.apiKey == Self.metadataKey && frame.direction == direction ? .cut(afterBytes: 9) : .forward
        }
        var request = MetadataRequest()
        request.topics = []
        let outcome: Result<Void, KafkaClientError>
        do {
            _ = try await session.send(request)
            outcome = .success(())
        } catch let error as KafkaClientError {
            outcome = .failure(error)
        }
        guard case let .failure(error) = outcome, case .transport = error else {
            Issue.record("a cut \(direction) should fail with a transport error, got \(outcome)")
            return
        }
        #expect(error.isRetriable, "\(error)")
        #expect(await session.connection.isClosed)
        #expect(proxy.cuts == 1)

        // The cluster layer reconnects and gets through once the cutting stops.
        proxy.setRule { _ in .forward }
        let cluster = KafkaCluster(configuration: config)
        #expect(try await cluster.refreshMetadata(topics: []).brokers.count == 1)
        await cluster.close()
    }

    @Test func anAnswerUnderAWrongCorrelationIdClosesTheConnectionWithATypedError() async throws {
        let broker = try await TansuBroker.shared()
        let (proxy, _) = try proxied(broker)
        defer { proxy.stop() }
        let session = try await BrokerSession.open(host: "127.0.0.1", port: proxy.proxies[0].port)
        defer { session.close() }
        proxy.setRule { frame in
            frame.apiKey == Self.metadataKey && frame.direction == .response
                ? .replace(FrameFaults.wrongCorrelationId(frame.payload)) : .forward
        }
        var request = MetadataRequest()
        request.topics = []
        do {
            _ = try await session.send(request)
            Issue.record("an answer under another correlation id was accepted")
        } catch let error as KafkaClientError {
            guard case let .transport(transport) = error, case .unexpectedCorrelationId = transport else {
                Issue.record("expected unexpectedCorrelationId, got \(error)")
                return
            }
        }
        #expect(await session.connection.isClosed)
    }

    /// Records of a known shape: a value long enough that the damaged byte lands in a record.
    static func value(_ i: Int) -> [UInt8] { Array("value-\(i)-".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 120) }

    func produce(_ broker: TansuBroker, topic: String, count: Int) async throws {
        var config = ProducerConfiguration(client: broker.configuration)
        config.lingerMs = 1
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<count { try await producer.enqueue(topic: topic, key: Array("k\(i)".utf8), value: Self.value(i), partition: 0) }
        await producer.flush()
        await producer.close()
    }

    @Test func aDamagedFetchAnswerIsReportedAndFetchedAgainWithoutBogusRecords() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 1, prefix: "corrupt")
        try await produce(broker, topic: topic, count: 40)
        let (proxy, config) = try proxied(broker)
        defer { proxy.stop() }
        let damaged = Atomic<Int>(0)
        proxy.setRule { frame in
            guard frame.apiKey == Self.fetchKey, frame.direction == .response, damaged.load(ordering: .relaxed) == 0,
                  let bytes = FrameFaults.corruptRecords(frame) else { return .forward }
            damaged.add(1, ordering: .relaxed)
            return .replace(bytes)
        }
        var settings = ConsumerConfiguration(client: config)
        settings.fetchMaxWaitMs = 100
        let consumer = KafkaConsumer(configuration: settings)
        let events = EventWatcher(consumer)
        try await consumer.assign([TopicPartition(topic, 0): .earliest])
        let collector = RecordCollector(consumer)
        #expect(await eventually(60) { collector.count >= 40 }, "consumed \(collector.count) of 40")
        await consumer.close()
        collector.stop()
        #expect(damaged.load(ordering: .relaxed) == 1)
        let crcErrors = events.errors.filter { "\($0)".contains("CRC") || "\($0)".contains("crc") }
        #expect(crcErrors.count == 1, "errors: \(events.errors)")
        let records = collector.records
        #expect(records.map(\.offset) == Array(0..<40))
        #expect(records.map { $0.value ?? [] } == (0..<40).map(Self.value))
    }

    @Test func aPartitionThatStaysDamagedHaltsWithATypedErrorAndDeliversNothing() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await createTopic(broker, partitions: 1, prefix: "corrupt-always")
        try await produce(broker, topic: topic, count: 10)
        let (proxy, config) = try proxied(broker)
        defer { proxy.stop() }
        proxy.setRule { frame in
            guard frame.apiKey == Self.fetchKey, frame.direction == .response,
                  let bytes = FrameFaults.corruptRecords(frame) else { return .forward }
            return .replace(bytes)
        }
        var settings = ConsumerConfiguration(client: config)
        settings.fetchMaxWaitMs = 100
        let consumer = KafkaConsumer(configuration: settings)
        try await consumer.assign([TopicPartition(topic, 0): .earliest])
        let reader = Task { () -> (Int, KafkaClientError?) in
            var delivered = 0
            var thrown: KafkaClientError?
            do {
                for try await _ in consumer.records { delivered += 1 }
            } catch {
                thrown = error as? KafkaClientError ?? .protocolViolation(broker: "?", detail: "\(error)")
            }
            return (delivered, thrown)
        }
        let watchdog = Task {
            try await Task.sleep(nanoseconds: 60_000_000_000)
            reader.cancel()
        }
        let (count, error) = await reader.value
        watchdog.cancel()
        await consumer.close()
        #expect(count == 0)
        guard let failure = error else {
            Issue.record("the record sequence should end with a typed error")
            return
        }
        guard case .protocolViolation = failure else {
            Issue.record("expected a protocol violation naming the damaged records, got \(failure)")
            return
        }
        #expect("\(failure)".contains(topic))
    }
}
