import Foundation
import KafkaClient
import KafkaProtocol

/// librdkafka's in-process mock cluster (N brokers, fault injection), hosted by
/// `scripts/interop/mock_cluster.py` and driven over its stdin. Fails loudly if it cannot start.
final class MockCluster: @unchecked Sendable {
    let bootstrap: String
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let lock = NSLock()

    init(brokers: Int = 3) throws {
        let script = TansuBroker.packageRoot.appendingPathComponent("scripts/interop/mock_cluster.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--brokers", String(brokers)]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        guard let first = MockCluster.readLine(output), first.hasPrefix("BOOTSTRAP ") else {
            process.terminate()
            throw BrokerStartError("the librdkafka mock cluster did not start (python3 with confluent-kafka needed; run make deps)")
        }
        bootstrap = String(first.dropFirst("BOOTSTRAP ".count))
    }

    var configuration: ClientConfiguration {
        get throws {
            var config = try ClientConfiguration(brokers: bootstrap)
            config.clientId = "swift-kafka-mock-tests"
            config.requestTimeoutMs = 10_000
            // The mock offers flexible JoinGroup (v6) and SyncGroup (v4) but reads their arrays
            // as classic ones and drops the connection; librdkafka itself stays below them.
            config.maxApiVersions = Self.groupVersionCaps
            return config
        }
    }

    /// JoinGroup, SyncGroup, Heartbeat and OffsetCommit at the versions librdkafka 2.16 uses.
    static let groupVersionCaps: [Int16: Int16] = [11: 5, 14: 3, 12: 3, 8: 7]

    /// Sends one command and waits for its answer.
    func command(_ line: String) throws {
        lock.lock()
        defer { lock.unlock() }
        input.write(Data((line + "\n").utf8))
        guard let answer = MockCluster.readLine(output) else { throw BrokerStartError("mock cluster exited on \(line)") }
        guard answer == "OK" else { throw BrokerStartError("mock cluster: \(line): \(answer)") }
    }

    func createTopic(_ name: String, partitions: Int, replicas: Int = 3) throws {
        try command("topic \(name) \(partitions) \(replicas)")
    }

    func moveLeader(topic: String, partition: Int32, to broker: Int32) throws {
        try command("leader \(topic) \(partition) \(broker)")
    }

    func setDown(_ broker: Int32) throws { try command("down \(broker)") }
    func setUp(_ broker: Int32) throws { try command("up \(broker)") }

    /// The next requests of `apiKey`, on whichever broker gets them, fail with `codes` in turn.
    func pushErrors(apiKey: Int16, _ codes: [KafkaErrorCode]) throws {
        try command("errors \(apiKey) " + codes.map { String($0.rawValue) }.joined(separator: " "))
    }

    /// The next requests of `apiKey` to `broker` fail with these codes, each answered after its delay.
    func pushBrokerErrors(broker: Int32, apiKey: Int16, _ codes: [(KafkaErrorCode, rttMs: Int)]) throws {
        try command("broker_errors \(broker) \(apiKey) " + codes.map { "\($0.0.rawValue):\($0.rttMs)" }.joined(separator: " "))
    }

    func clearErrors(apiKey: Int16) throws { try command("clear_errors \(apiKey)") }

    func moveCoordinator(group: String, to broker: Int32) throws { try command("coordinator \(group) \(broker)") }

    func stop() {
        try? input.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    private static func readLine(_ handle: FileHandle) -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1)
            if chunk.isEmpty { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if chunk[chunk.startIndex] == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(chunk[chunk.startIndex])
        }
    }
}
