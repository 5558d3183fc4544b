@testable import KafkaClient
import KafkaProtocol
import Synchronization
import Testing

/// Re-authentication runs alone on its connection: other requests wait until it is done.
/// (No SCRAM login can succeed on this Tansu build, so the pause is shown with ApiVersions
/// standing in for the SASL exchange, on a real broker.)
@Suite struct ReauthenticationPauseTests {
    @Test func requestsWaitWhileTheConnectionIsPausedForReauthentication() async throws {
        let broker = try await TansuBroker.shared()
        let session = try await BrokerSession.open(host: "127.0.0.1", port: broker.port)
        defer { session.close() }
        let connection = session.connection
        try await connection.pauseForReauthentication()

        let queued = Counter(), answered = Counter()
        let waiting = Task {
            let (response, _) = try await session.send(MetadataRequest(), queued: { queued.add() })
            answered.add()
            return response.brokers.count
        }
        #expect(await eventually(30) { queued.value == 1 })
        // The exchange's own traffic still goes through and is answered.
        let version = try #require(session.versions.version(for: 18))
        let frame = try await connection.send(ApiVersionsRequest(), version: version, duringPause: true)
        #expect(frame.body is ApiVersionsResponse)
        // The Metadata request was never written: it cannot have been answered.
        #expect(answered.value == 0)

        connection.resumeAfterReauthentication()
        #expect(try await waiting.value == 1)
    }

    @Test func pausingWaitsForTheAnswersInFlight() async throws {
        let broker = try await TansuBroker.shared()
        let session = try await BrokerSession.open(host: "127.0.0.1", port: broker.port)
        defer { session.close() }
        let (queuedStream, queuedSignal) = AsyncStream.makeStream(of: Void.self)
        let answered = Counter()
        var senders: [Task<Void, any Error>] = []
        for _ in 0..<20 {
            senders.append(Task {
                _ = try await session.send(MetadataRequest(), queued: { queuedSignal.yield() })
                answered.add()
            })
        }
        // Pause as soon as all 20 hold their place, while their answers are still on the way.
        var queuedCount = 0
        for await _ in queuedStream {
            queuedCount += 1
            if queuedCount == 20 { break }
        }
        try await session.connection.pauseForReauthentication()
        // Every request written before the pause has its answer by the time the pause begins.
        #expect(await session.connection.inFlightCount == 0)
        // 16 fit in flight; the other 4 were held back and go out after the pause.
        session.connection.resumeAfterReauthentication()
        for sender in senders { try await sender.value }
        #expect(answered.value == 20)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
