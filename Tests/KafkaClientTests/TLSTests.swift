import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// TLS against a real Tansu behind a TLS terminator on loopback (Tansu's own TLS does not work
/// in this build: PEERS.md), with certificates made by `openssl` for this run.
@Suite struct TLSTests {
    struct Setup: Sendable {
        let certs: TestCertificates
        let tansuPort: Int
        /// Presents a certificate for 127.0.0.1 and localhost, signed by `certs.caFile`.
        let terminator: Terminator
        /// Presents a certificate for broker.elsewhere.test, signed by the same CA.
        let elsewhere: Terminator
        /// Like `terminator`, and requires a client certificate signed by the CA.
        let mutual: Terminator

        static let shared = Once<Setup> {
            let certs = try await TestCertificates.shared.get()
            let tansuPort = try TansuBroker.freeLoopbackPort()
            let terminator = try Terminator(upstreamPort: tansuPort, certificate: certs.serverCert, key: certs.serverKey)
            let elsewhere = try Terminator(upstreamPort: tansuPort, certificate: certs.elsewhereCert, key: certs.elsewhereKey)
            let mutual = try Terminator(upstreamPort: tansuPort, certificate: certs.serverCert, key: certs.serverKey,
                                        clientCA: certs.caFile)
            // Tansu advertises the terminator, so metadata sends clients back through TLS.
            _ = try await DedicatedTansu.start(port: tansuPort, advertisedPort: terminator.port)
            return Setup(certs: certs, tansuPort: tansuPort, terminator: terminator, elsewhere: elsewhere, mutual: mutual)
        }

        func configuration(ca: String?, port: Int? = nil, verifyHostname: Bool = true) -> ClientConfiguration {
            var config = ClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: port ?? terminator.port)])
            config.clientId = "swift-kafka-tls-tests"
            config.requestTimeoutMs = 15_000
            config.connectTimeoutMs = 30_000
            config.security = SecurityConfiguration(
                securityProtocol: .ssl, tls: TLSConfiguration(caLocation: ca, verifyHostname: verifyHostname))
            return config
        }

        func options(ca: String?, connectTimeoutMs: Int = 30_000) -> BrokerConnection.Options {
            var options = BrokerConnection.Options()
            options.tls = TLSConfiguration(caLocation: ca)
            options.connectTimeoutMs = connectTimeoutMs
            options.requestTimeoutMs = 10_000
            return options
        }
    }

    /// The TLS failure inside `error`, or nil.
    func tlsCause(_ error: any Error) -> TLSFailureCause? {
        if case let .transport(.tlsFailed(_, cause, _))? = error as? KafkaClientError { return cause }
        return nil
    }

    @Test func producesAndConsumesOverTLSWithTheRightCA() async throws {
        let setup = try await Setup.shared.get()
        let config = setup.configuration(ca: setup.certs.caFile)
        let topic = TansuBroker.uniqueTopic("tls")
        let admin = KafkaAdminClient(configuration: config)
        try await admin.createTopic(.init(name: topic, partitions: 1))
        await admin.cluster.close()

        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: config))
        for i in 0..<20 {
            let sent = try await producer.send(topic: topic, key: "k\(i)", value: "secret value \(i)")
            #expect(sent.offset == Int64(i))
        }
        // A value spanning many TLS records (16 KB each) in both directions.
        let large = String(repeating: "0123456789abcdef", count: 300 * 1024 / 16)
        let sentLarge = try await producer.send(topic: topic, key: "large", value: large)
        #expect(sentLarge.offset == 20)
        await producer.close()

        var consumerConfig = ConsumerConfiguration(client: config)
        consumerConfig.fetchMaxWaitMs = 200
        consumerConfig.enableAutoCommit = false
        let consumer = KafkaConsumer(configuration: consumerConfig)
        try await consumer.assign([TopicPartition(topic, 0): .earliest])
        let collector = RecordCollector(consumer)
        #expect(await eventually { collector.count >= 21 }, "got \(collector.count) of 21")
        await consumer.close()
        let values = collector.records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
        #expect(values.prefix(20) == ArraySlice((0..<20).map { "secret value \($0)" }))
        #expect(values.last == large)
        // Every connection went through the terminator: none bypassed TLS.
        #expect(setup.terminator.counts.accepted >= 2)
    }

    @Test func verifiesTheDNSNameAndSendsSNIForAHostName() async throws {
        let setup = try await Setup.shared.get()
        let session = try await BrokerSession.open(host: "localhost", port: setup.terminator.port,
                                                   options: setup.options(ca: setup.certs.caFile))
        defer { session.close() }
        let (response, _) = try await session.send(MetadataRequest())
        #expect(response.brokers.first?.port == Int32(setup.terminator.port))
    }

    @Test func wrongCAFailsAtOnceWithACertificateVerifyError() async throws {
        let setup = try await Setup.shared.get()
        let cluster = KafkaCluster(configuration: setup.configuration(ca: setup.certs.otherCAFile))
        defer { Task { await cluster.close() } }
        do {
            try await cluster.refreshMetadata()
            Issue.record("a certificate from an untrusted CA was accepted")
        } catch {
            #expect(tlsCause(error) == .certificateVerifyFailed, "\(error)")
            #expect("\(error)".contains("certificate verify failed"), "\(error)")
            #expect((error as? KafkaClientError)?.isRetriable == false)
        }
    }

    @Test func producerWithTheWrongCAFailsInsteadOfRetrying() async throws {
        let setup = try await Setup.shared.get()
        var producerConfig = ProducerConfiguration(client: setup.configuration(ca: setup.certs.otherCAFile))
        producerConfig.deliveryTimeoutMs = 120_000
        let producer = try KafkaProducer(configuration: producerConfig)
        do {
            _ = try await producer.send(topic: TansuBroker.uniqueTopic("tls-bad-ca"), value: "x")
            Issue.record("sent through an untrusted certificate")
        } catch {
            #expect("\(error)".contains("certificate verify failed"), "\(error)")
        }
        await producer.close()
    }

    @Test func wrongHostNameFailsAtOnceWithAHostnameMismatch() async throws {
        let setup = try await Setup.shared.get()
        let cluster = KafkaCluster(configuration: setup.configuration(ca: setup.certs.caFile, port: setup.elsewhere.port))
        defer { Task { await cluster.close() } }
        do {
            try await cluster.refreshMetadata()
            Issue.record("a certificate for another host was accepted")
        } catch {
            #expect(tlsCause(error) == .hostnameMismatch, "\(error)")
            #expect("\(error)".contains("hostname mismatch"), "\(error)")
        }
    }

    @Test func hostnameVerificationCanBeTurnedOff() async throws {
        let setup = try await Setup.shared.get()
        let cluster = KafkaCluster(configuration: setup.configuration(
            ca: setup.certs.caFile, port: setup.elsewhere.port, verifyHostname: false))
        let metadata = try await cluster.refreshMetadata()
        #expect(metadata.brokers.count == 1)
        await cluster.close()
    }

    @Test func systemRootsDoNotTrustTheTestCA() async throws {
        let setup = try await Setup.shared.get()
        let cluster = KafkaCluster(configuration: setup.configuration(ca: nil))
        defer { Task { await cluster.close() } }
        do {
            try await cluster.refreshMetadata()
            Issue.record("the system roots trusted a CA made for this test run")
        } catch {
            #expect(tlsCause(error) == .certificateVerifyFailed, "\(error)")
        }
    }

    @Test func clientCertificateIsPresentedWhenTheBrokerRequiresOne() async throws {
        let setup = try await Setup.shared.get()
        var options = setup.options(ca: setup.certs.caFile)
        options.tls?.certificateLocation = setup.certs.clientCert
        options.tls?.keyLocation = setup.certs.clientKey
        let session = try await BrokerSession.open(host: "127.0.0.1", port: setup.mutual.port, options: options)
        let (response, _) = try await session.send(MetadataRequest())
        #expect(response.brokers.count == 1)
        session.close()
    }

    @Test func missingClientCertificateIsAClearError() async throws {
        let setup = try await Setup.shared.get()
        do {
            let session = try await BrokerSession.open(host: "127.0.0.1", port: setup.mutual.port,
                                                       options: setup.options(ca: setup.certs.caFile))
            session.close()
            Issue.record("a broker requiring client certificates accepted none")
        } catch {
            // TLS 1.3 finishes the client's side of the handshake before the server checks our
            // certificate: its refusal comes as an alert or a hang-up after the handshake.
            let cause = tlsCause(error)
            #expect(cause == .alertFromPeer || cause == .closedAfterHandshake || cause == .closedDuringHandshake, "\(error)")
            #expect("\(error)".contains("client certificate"), "\(error)")
        }
    }

    @Test func plaintextClientOnTheTLSPortGetsAClearError() async throws {
        let setup = try await Setup.shared.get()
        var options = BrokerConnection.Options()
        options.requestTimeoutMs = 10_000
        do {
            let session = try await BrokerSession.open(host: "127.0.0.1", port: setup.terminator.port, options: options)
            session.close()
            Issue.record("plaintext Kafka passed through a TLS listener")
        } catch {
            // The terminator hangs up on bytes that are not TLS: diagnosed as "TLS expected?".
            #expect("\(error)".contains("TLS"), "\(error)")
            #expect(!"\(error)".contains("timed out"), "\(error)")
        }
    }

    @Test func tlsClientOnThePlaintextPortGetsAClearError() async throws {
        let setup = try await Setup.shared.get()
        do {
            let session = try await BrokerSession.open(host: "127.0.0.1", port: setup.tansuPort,
                                                       options: setup.options(ca: setup.certs.caFile, connectTimeoutMs: 5_000))
            session.close()
            Issue.record("a TLS handshake succeeded against a plaintext broker")
        } catch {
            let cause = tlsCause(error)
            #expect(cause == .notTLS || cause == .closedDuringHandshake || cause == .handshakeTimedOut, "\(error)")
            #expect("\(error)".contains("not TLS on this port"), "\(error)")
        }
    }

    @Test func unreadableCAFileIsAConfigurationError() async throws {
        let setup = try await Setup.shared.get()
        do {
            _ = try await BrokerSession.open(host: "127.0.0.1", port: setup.terminator.port,
                                             options: setup.options(ca: "/nonexistent/ca.pem"))
            Issue.record("connected without its CA file")
        } catch {
            #expect(tlsCause(error) == .configuration, "\(error)")
            #expect("\(error)".contains("/nonexistent/ca.pem"), "\(error)")
        }
    }
}

/// kafka-admin over TLS, configured with librdkafka-style -X keys.
@Suite struct KafkaAdminTLSTests {
    @Test func topicListOverTLSAndClearErrors() async throws {
        let setup = try await TLSTests.Setup.shared.get()
        let b = ["-b", "127.0.0.1:\(setup.terminator.port)", "-X", "security.protocol=SSL"]
        let listed = try KafkaAdminCLITests.run(["topic", "list"] + b + ["-X", "ssl.ca.location=\(setup.certs.caFile)"])
        #expect(listed.status == 0, "\(listed.err)")
        let untrusted = try KafkaAdminCLITests.run(["topic", "list"] + b + ["-X", "ssl.ca.location=\(setup.certs.otherCAFile)"])
        #expect(untrusted.status != 0)
        #expect(untrusted.err.contains("certificate verify failed"), "\(untrusted.err)")
        let bogus = try KafkaAdminCLITests.run(["topic", "list", "-b", "127.0.0.1:1", "-X", "security.protocol=TLS1"])
        #expect(bogus.status != 0)
        #expect(bogus.err.contains("-X security.protocol"), "\(bogus.err)")
    }
}
