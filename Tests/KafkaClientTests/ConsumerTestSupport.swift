import Foundation
import KafkaClient
import Synchronization
import Testing

/// Produces records with librdkafka (pip confluent-kafka) through `scripts/interop/rdk_produce.py`.
/// A missing python or package fails the test with the reason: never a skip.
enum Librdkafka {
    static let script = TansuBroker.packageRoot.appendingPathComponent("scripts/interop/rdk_produce.py")

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func produce(
        _ broker: TansuBroker, topic: String, count: Int, start: Int = 0, codec: String = "none",
        partition: Int = -1, valueSize: Int = 0, headers: Bool = false, tombstones: Bool = false,
        timestampBase: Int64 = 0, batch: Int = 0
    ) async throws {
        var arguments = [script.path, "--bootstrap", broker.brokers, "--topic", topic, "--count", "\(count)",
                         "--start", "\(start)", "--codec", codec, "--partition", "\(partition)",
                         "--value-size", "\(valueSize)", "--timestamp-base", "\(timestampBase)", "--batch", "\(batch)"]
        if headers { arguments.append("--headers") }
        if tombstones { arguments.append("--tombstones") }
        try await run(arguments)
    }

    /// `PYTHON` if set, else the first `python3` on PATH (pyenv shims included): the one that
    /// `scripts/install-deps.sh` installed confluent-kafka for.
    static func python() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["PYTHON"] { return URL(fileURLWithPath: path) }
        for directory in (environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        throw Failed(description: "python3 not found on PATH: the librdkafka interop tests need it with pip confluent-kafka (scripts/install-deps.sh)")
    }

    /// Runs python without blocking a cooperative thread: waits on the termination handler.
    static func run(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = try python()
        process.arguments = arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("rdk-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close(); try? FileManager.default.removeItem(at: log) }
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failed(description: "cannot run python3: \(error)"))
            }
        }
        guard status == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Failed(description: "librdkafka producer (\(arguments.joined(separator: " "))) exited \(status): \(output)")
        }
    }

    /// What record `i` of the script carries.
    static func key(_ i: Int) -> [UInt8]? { i % 7 == 3 ? nil : Array("k\(i)".utf8) }

    static func value(_ i: Int, size: Int = 0, tombstones: Bool = false) -> [UInt8]? {
        if tombstones && i % 11 == 5 { return nil }
        var bytes = Array("v\(i)-".utf8)
        while bytes.count < size { bytes.append(UInt8(ascii: "x")) }
        return bytes
    }
}

/// Records gathered by a background reader, for bounded polling from the test.
final class RecordCollector: Sendable {
    private let state = Mutex<[ConsumerRecord]>([])
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(_ consumer: KafkaConsumer) {
        let records = consumer.records
        let t = Task { [self] in
            do {
                for try await record in records { self.state.withLock { $0.append(record) } }
            } catch {}
        }
        task.withLock { $0 = t }
    }

    var records: [ConsumerRecord] { state.withLock { $0 } }
    var count: Int { state.withLock { $0.count } }

    func stop() { task.withLock { $0?.cancel() } }
}

/// The latest assignment as told by `events`, plus every error seen.
final class EventWatcher: Sendable {
    private let state = Mutex<(assigned: Set<TopicPartition>, errors: [KafkaClientError])>(([], []))

    init(_ consumer: KafkaConsumer) {
        let events = consumer.events
        Task { [self] in
            for await event in events {
                self.state.withLock { s in
                    switch event {
                    case let .assigned(partitions): s.assigned.formUnion(partitions)
                    case let .revoked(partitions): s.assigned.subtract(partitions)
                    case let .error(error): s.errors.append(error)
                    }
                }
            }
        }
    }

    var assigned: Set<TopicPartition> { state.withLock { $0.assigned } }
    var errors: [KafkaClientError] { state.withLock { $0.errors } }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; answers whether it held.
func eventually(_ seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return condition()
}

func createTopic(_ broker: TansuBroker, partitions: Int32 = 1, prefix: String = "c") async throws -> String {
    let topic = TansuBroker.uniqueTopic(prefix)
    let admin = KafkaAdminClient(configuration: broker.configuration)
    try await admin.createTopic(.init(name: topic, partitions: partitions))
    await admin.cluster.close()
    return topic
}
