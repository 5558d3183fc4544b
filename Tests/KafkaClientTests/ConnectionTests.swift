import Foundation
import KafkaClient
import KafkaProtocol
import Testing

@Suite struct ConnectionTests {
    @Test func negotiatesVersionsWithARealBroker() async throws {
        let broker = try await TansuBroker.shared()
        let session = try await BrokerSession.open(host: "127.0.0.1", port: broker.port)
        defer { session.close() }
        // Tansu 0.6 offers Metadata and Produce; we pick the highest both sides know.
        let metadata = try #require(session.versions.version(for: 3))
        #expect(metadata >= 1 && metadata <= MetadataRequest.validVersions.highest)
        #expect(session.versions.version(for: 0) != nil)
    }

    @Test func pipelinesManyRequestsOnOneConnection() async throws {
        let broker = try await TansuBroker.shared()
        let session = try await BrokerSession.open(host: "127.0.0.1", port: broker.port)
        defer { session.close() }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let (response, _) = try await session.send(MetadataRequest())
                    return response.brokers.count
                }
            }
            var answered = 0
            for try await count in group {
                #expect(count == 1)
                answered += 1
            }
            #expect(answered == 50)
        }
    }

    @Test func clusterMetadataNamesTheBroker() async throws {
        let broker = try await TansuBroker.shared()
        let cluster = KafkaCluster(configuration: broker.configuration)
        let metadata = try await cluster.refreshMetadata()
        #expect(metadata.brokers.count == 1)
        #expect(metadata.brokers.values.first?.port == broker.port)
        await cluster.close()
    }

    /// A connection that closed behind the cache's back (a broker going down, a cut) is never
    /// handed out again: the next lookup reconnects, for the broker's session, for "any"
    /// session and for the group coordinator alike. Before this, a consumer whose coordinator
    /// lookup ran on a dead spare connection failed the same way on every retry.
    @Test func closedConnectionsAreNotHandedOutAgain() async throws {
        let broker = try await TansuBroker.shared()
        let cluster = KafkaCluster(configuration: broker.configuration)
        let nodeId = try #require(try await cluster.refreshMetadata().brokers.keys.first)
        let first = try await cluster.session(for: nodeId)
        first.connection.close()
        while !first.connection.hasClosed { try await Task.sleep(nanoseconds: 1_000_000) }

        let again = try await cluster.session(for: nodeId)
        #expect(again !== first, "the closed session came back from the cache")
        _ = try await again.send(MetadataRequest())

        again.connection.close()
        while !again.connection.hasClosed { try await Task.sleep(nanoseconds: 1_000_000) }
        let any = try await cluster.anySession()
        #expect(any !== again)
        _ = try await any.send(MetadataRequest())

        any.connection.close()
        while !any.connection.hasClosed { try await Task.sleep(nanoseconds: 1_000_000) }
        let coordinator = try await cluster.coordinatorSession(group: TansuBroker.uniqueTopic("dead-session"))
        #expect(!coordinator.connection.hasClosed)
        await cluster.close()
    }

    @Test func refusedConnectionIsATypedErrorNamingTheCause() async throws {
        let port = try TansuBroker.freeLoopbackPort()
        do {
            _ = try await BrokerSession.open(host: "127.0.0.1", port: port)
            Issue.record("connected to a closed port")
        } catch let error as KafkaClientError {
            #expect(error.description.contains("refused"))
            #expect(error.isRetriable)
        }
    }

    @Test func httpServerIsDiagnosedAsNotKafka() async throws {
        // A listener that answers like an HTTP server, as a wrong port would.
        let server = try LineServer(reply: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        defer { server.stop() }
        do {
            _ = try await BrokerSession.open(host: "127.0.0.1", port: server.port)
            Issue.record("an HTTP server passed for a broker")
        } catch let error as KafkaClientError {
            #expect(error.description.contains("HTTP"), "\(error)")
        }
    }

    @Test func peerClosingRightAfterConnectIsDiagnosed() async throws {
        let server = try LineServer(reply: nil)
        defer { server.stop() }
        do {
            _ = try await BrokerSession.open(host: "127.0.0.1", port: server.port)
            Issue.record("a closing peer passed for a broker")
        } catch let error as KafkaClientError {
            #expect(error.description.contains("right after connect"), "\(error)")
        }
    }

    @Test func silentPeerTimesOutWithinTheRequestTimeout() async throws {
        // The peer holds the connection open for 10 s without answering: only our own
        // request deadline can end the wait with "timed out".
        let server = try LineServer(reply: [], holdOpen: true)
        defer { server.stop() }
        var options = BrokerConnection.Options()
        options.requestTimeoutMs = 300
        do {
            _ = try await BrokerSession.open(host: "127.0.0.1", port: server.port, options: options)
            Issue.record("a silent peer passed for a broker")
        } catch let error as KafkaClientError {
            #expect(error.description.contains("timed out"), "\(error)")
        }
    }
}

/// A one-connection-at-a-time TCP server on loopback that reads a request and answers with
/// fixed bytes (nil: closes at once), to play a misbehaving peer.
final class LineServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let thread: Thread

    init(reply: [UInt8]?, holdOpen: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw BrokerStartError("LineServer cannot listen") }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    // Closed here, not in stop(): see FaultProxy.stop.
                    close(fd)
                    return
                }
                if let reply {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = recv(client, &buffer, buffer.count, 0)
                    if !reply.isEmpty { _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) } }
                    if holdOpen { Thread.sleep(forTimeInterval: 10) }
                }
                close(client)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

@Suite struct AdminTopicTests {
    @Test func createsATopicAndReportsAnExistingOne() async throws {
        let broker = try await TansuBroker.shared()
        let admin = KafkaAdminClient(configuration: broker.configuration)
        let name = TansuBroker.uniqueTopic("admin")
        try await admin.createTopic(.init(name: name, partitions: 3))
        let info = try await admin.cluster.topicMetadata(name)
        #expect(info.partitions.count == 3)
        let again = try await admin.createTopics([.init(name: name, partitions: 3)])
        #expect(again[name] == .alreadyExists)
        try await admin.createTopic(.init(name: name, partitions: 3), existingIsSuccess: true)
        await admin.cluster.close()
    }
}
