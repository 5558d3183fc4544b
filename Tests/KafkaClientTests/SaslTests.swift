import Foundation
import KafkaClient
import Testing

/// SASL against a real Tansu started with `--authentication`. This build stores no SCRAM users
/// and offers no PLAIN (PEERS.md), so every login is refused: what is proven here is the real
/// exchange up to the broker's refusal, one clear error, the connection closed, and no
/// reconnecting. Each test puts its own counting proxy (tls_terminator.py in plain mode) in
/// front of the broker to count the connections the client opens.
@Suite struct SaslTests {
    static let password = "Tr0ub4dor&3-not-for-logs"

    static let tansuPort = Once<Int> {
        let port = try TansuBroker.freeLoopbackPort()
        _ = try await DedicatedTansu.start(port: port, advertisedPort: port, extraArguments: ["--authentication"])
        return port
    }

    func configuration(_ mechanism: SASLConfiguration.Mechanism, port: Int) -> ClientConfiguration {
        var config = ClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: port)])
        config.clientId = "swift-kafka-sasl-tests"
        config.requestTimeoutMs = 10_000
        config.security = SecurityConfiguration(
            securityProtocol: .saslPlaintext,
            sasl: SASLConfiguration(mechanism: mechanism, username: "alice", password: Self.password))
        return config
    }

    func expectRefusal(_ error: any Error, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case let .authenticationFailed(_, _, username, detail)? = error as? KafkaClientError else {
            Issue.record("expected authenticationFailed, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(username == "alice", sourceLocation: sourceLocation)
        #expect(detail.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        #expect((error as? KafkaClientError)?.isRetriable == false, sourceLocation: sourceLocation)
        #expect(!"\(error)".contains(Self.password), sourceLocation: sourceLocation)
    }

    @Test(arguments: [SASLConfiguration.Mechanism.scramSHA256, .scramSHA512])
    func scramRefusalEndsInOneErrorOneConnectionAndNoRetry(mechanism: SASLConfiguration.Mechanism) async throws {
        let upstream = try await Self.tansuPort.get()
        let proxy = try Terminator(upstreamPort: upstream)
        let cluster = KafkaCluster(configuration: configuration(mechanism, port: proxy.port))
        // Tansu answers the failed exchange with error code 0 and "e=unknown-user" in
        // server-final; the client must read the message, not the code.
        do {
            try await cluster.refreshMetadata()
            Issue.record("\(mechanism.rawValue) login succeeded against a broker that stores no users")
        } catch {
            expectRefusal(error, mentioning: "e=unknown-user")
        }
        // The connection is closed by us (the broker would have gone on serving it).
        #expect(await eventually(30) { proxy.counts.closed == 1 }, "\(proxy.counts)")
        // Asking again gets the same answer without a new connection.
        do {
            _ = try await cluster.anySession()
            Issue.record("a second attempt succeeded")
        } catch {
            expectRefusal(error, mentioning: "e=unknown-user")
        }
        #expect(proxy.counts.accepted == 1, "\(proxy.counts)")
        await cluster.close()
    }

    @Test func producerStopsAtTheRefusalInsteadOfReconnecting() async throws {
        let upstream = try await Self.tansuPort.get()
        let proxy = try Terminator(upstreamPort: upstream)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: configuration(.scramSHA256, port: proxy.port)))
        for i in 0..<3 {
            do {
                _ = try await producer.send(topic: "sasl-refused", value: "v\(i)")
                Issue.record("send \(i) succeeded without a login")
            } catch {
                expectRefusal(error, mentioning: "unknown-user")
            }
        }
        // An absence cannot be awaited: watch for a second so a background reconnect loop
        // (librdkafka's retries every ~50 ms) would show up as more connections.
        try await Task.sleep(nanoseconds: 1_000_000_000)
        #expect(proxy.counts.accepted == 1, "\(proxy.counts)")
        await producer.close()
        #expect(await eventually(30) { proxy.counts.closed == 1 }, "\(proxy.counts)")
    }

    @Test func sessionOpenFailsAndClosesItsConnection() async throws {
        let upstream = try await Self.tansuPort.get()
        let proxy = try Terminator(upstreamPort: upstream)
        var options = BrokerConnection.Options()
        options.sasl = SASLConfiguration(mechanism: .scramSHA512, username: "alice", password: Self.password)
        do {
            let session = try await BrokerSession.open(host: "127.0.0.1", port: proxy.port, options: options)
            session.close()
            Issue.record("opened a session without a login")
        } catch {
            expectRefusal(error, mentioning: "e=unknown-user")
        }
        #expect(await eventually(30) { proxy.counts.closed == 1 }, "\(proxy.counts)")
        #expect(proxy.counts.accepted == 1)
    }

    /// SASL_SSL: the same refusal, with the exchange inside TLS.
    @Test func scramOverTLSReachesTheBrokersRefusal() async throws {
        let upstream = try await Self.tansuPort.get()
        let certs = try await TestCertificates.shared.get()
        let terminator = try Terminator(upstreamPort: upstream, certificate: certs.serverCert, key: certs.serverKey)
        var config = configuration(.scramSHA512, port: terminator.port)
        config.security.securityProtocol = .saslSSL
        config.security.tls = TLSConfiguration(caLocation: certs.caFile)
        let cluster = KafkaCluster(configuration: config)
        do {
            try await cluster.refreshMetadata()
            Issue.record("SASL_SSL login succeeded against a broker that stores no users")
        } catch {
            expectRefusal(error, mentioning: "e=unknown-user")
        }
        #expect(await eventually(30) { terminator.counts.closed == 1 }, "\(terminator.counts)")
        #expect(terminator.counts.accepted == 1)
        await cluster.close()
    }

    /// Tansu offers no PLAIN and hangs up on the handshake: still one clear refusal.
    @Test func plainNotOfferedIsAClearRefusal() async throws {
        let upstream = try await Self.tansuPort.get()
        let proxy = try Terminator(upstreamPort: upstream)
        let cluster = KafkaCluster(configuration: configuration(.plain, port: proxy.port))
        do {
            try await cluster.refreshMetadata()
            Issue.record("PLAIN login succeeded")
        } catch {
            expectRefusal(error, mentioning: "PLAIN")
        }
        #expect(proxy.counts.accepted == 1, "\(proxy.counts)")
        await cluster.close()
    }
}
