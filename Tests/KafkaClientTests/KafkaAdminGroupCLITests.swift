import Foundation
import KafkaClient
import Synchronization
import Testing

/// kafka-admin's format strings, `group describe` columns and `group seek`, run as a user runs
/// them against the shared Tansu broker.
@Suite struct KafkaAdminGroupCLITests {
    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs kafka-admin without blocking a cooperative thread (a group member's heartbeats need
    /// them while the CLI runs): output goes to files, termination is awaited.
    static func run(_ arguments: [String], input: String? = nil) async throws -> Run {
        let path = ProcessInfo.processInfo.environment["KAFKA_ADMIN_BIN"]
            ?? TansuBroker.packageRoot.appendingPathComponent(".build/debug/kafka-admin").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BrokerStartError("kafka-admin not built at \(path): run `swift build` (make test does)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ["in", "out", "err"].map { directory.appendingPathComponent($0) }
        try Data((input ?? "").utf8).write(to: files[0])
        for file in files.dropFirst() { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let stdin = try FileHandle(forReadingFrom: files[0])
        let stdout = try FileHandle(forWritingTo: files[1])
        let stderr = try FileHandle(forWritingTo: files[2])
        defer { try? stdin.close(); try? stdout.close(); try? stderr.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let command = "kafka-admin \(arguments.joined(separator: " "))"
        let status: Int32 = try await bounded(command) { finish in
            process.terminationHandler = { finish(.success($0.terminationStatus)) }
            do { try process.run() } catch { finish(.failure(error)) }
        } onTimeout: {
            if process.isRunning { process.terminate() }
        }
        return Run(status: status, out: try String(contentsOf: files[1], encoding: .utf8),
                   err: try String(contentsOf: files[2], encoding: .utf8))
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits for `start`'s callback at most `seconds`, then throws `Timeout` naming `what`, so a
    /// lost callback or a stuck call fails the test instead of hanging the suite.
    static func bounded<T: Sendable>(
        _ what: String, seconds: Int = 90,
        _ start: (@escaping @Sendable (Result<T, any Error>) -> Void) -> Void,
        onTimeout: @escaping @Sendable () -> Void = {}
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let pending = Mutex<CheckedContinuation<T, any Error>?>(continuation)
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                pending.withLock { $0.take() }?.resume(with: result)
            }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                onTimeout()
                finish(.failure(Timeout(description: "\(what) did not finish within \(seconds) s")))
            }
            start(finish)
        }
    }

    /// Runs an async call with the same bound.
    static func bounded<T: Sendable>(_ what: String, seconds: Int = 90,
                                     _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await bounded(what, seconds: seconds) { finish in
            Task {
                do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
            }
        }
    }

    /// The whitespace-separated cells of the table row for `partition` of `topic`.
    static func row(_ output: String, topic: String, partition: Int) -> [String]? {
        output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .first { $0.count >= 2 && $0[0] == topic && $0[1] == String(partition) }
    }

    @Test func consumeWithAFormatStringPrintsKcatTokens() async throws {
        let broker = try await TansuBroker.shared()
        let b = ["-b", broker.brokers]
        let topic = try await Self.bounded("create topic") { try await createTopic(broker, partitions: 1, prefix: "fmt") }
        let produced = try await Self.run(["produce", topic, "-K", ":", "-H", "src=cli", "-H", "n=1"] + b,
                                          input: "k1:v1\nk2:\n")
        #expect(produced.status == 0, "\(produced.err)")

        let consumed = try await Self.run(
            ["consume", topic, "-o", "start", "-e", "-f", #"%t|%p|%o|%k|%s|%h|%K|%S\t100%%\n"#] + b)
        #expect(consumed.status == 0, "\(consumed.err)")
        #expect(consumed.out == "\(topic)|0|0|k1|v1|src=cli,n=1|2|2\t100%\n\(topic)|0|1|k2||src=cli,n=1|2|0\t100%\n")

        // No escape, no newline: records run together exactly as the format says.
        let joined = try await Self.run(["consume", topic, "-o", "start", "-e", "-f", "[%o]"] + b)
        #expect(joined.out == "[0][1]")

        let stamped = try await Self.run(["consume", topic, "-o", "start", "-e", "-f", #"%T\n"#] + b)
        let stamps = stamped.out.split(separator: "\n").compactMap { Int64($0) }
        #expect(stamps.count == 2)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(stamps.allSatisfy { abs($0 - now) < 3_600_000 }, "timestamps are ms since the epoch: \(stamps)")

        for (format, complaint) in [("%q", "unknown token %q"), (#"x\q"#, #"unknown escape \q"#), ("jsno", "expected value, kv, json")] {
            let rejected = try await Self.run(["consume", topic, "-o", "start", "-e", "-f", format] + b)
            #expect(rejected.status != 0)
            #expect(rejected.err.contains(complaint), "\(rejected.err)")
        }
    }

    @Test func groupDescribeShowsMembersAndSeekMovesAnIdleGroup() async throws {
        let broker = try await TansuBroker.shared()
        let b = ["-b", broker.brokers]
        let topic = try await Self.bounded("create topic") { try await createTopic(broker, partitions: 2, prefix: "seek") }
        let group = "seek-\(UUID().uuidString.prefix(8))"
        // Three produce runs, three batches: p0 offsets 0-2 and 3-4, then p1 offset 0.
        for (lines, partition) in [("a\nb\nc\n", "0"), ("d\ne\n", "0"), ("f\n", "1")] {
            let produced = try await Self.run(["produce", topic, "-p", partition] + b, input: lines)
            #expect(produced.status == 0, "\(produced.err)")
        }

        var config = ConsumerConfiguration(client: broker.configuration, groupId: group)
        config.client.clientId = "seek-test-client"
        config.sessionTimeoutMs = 4_000  // Tansu holds JoinGroup for half of it
        config.heartbeatIntervalMs = 800
        config.rebalanceTimeoutMs = 8_000
        config.autoOffsetReset = .earliest
        config.enableAutoCommit = false
        config.fetchMaxWaitMs = 200
        let consumer = KafkaConsumer(configuration: config)
        try await Self.bounded("subscribe") { try await consumer.subscribe(topics: [topic]) }
        let collector = RecordCollector(consumer)
        #expect(await eventually { collector.count >= 6 }, "consumed \(collector.count) of 6")
        try await Self.bounded("commit") { try await consumer.commit() }

        let live = try await Self.run(["group", "describe", group] + b)
        #expect(live.status == 0, "\(live.err)")
        #expect(live.out.contains("CURRENT-OFFSET  LOG-END-OFFSET  LAG  MEMBER-ID"), "\(live.out)")
        #expect(live.out.contains("MEMBERS      1"), "\(live.out)")
        // Tansu 0.6 describes members with their id only (no client id, host or assignment), so
        // the per-partition member columns stay empty here; the member table still names it.
        let p0 = try #require(Self.row(live.out, topic: topic, partition: 0), "\(live.out)")
        #expect(Array(p0.prefix(5)) == [topic, "0", "5", "5", "0"], "\(live.out)")
        #expect(Self.row(live.out, topic: topic, partition: 1)?.prefix(5) == [topic, "1", "1", "1", "0"])
        let memberLines = live.out.components(separatedBy: "MEMBER-ID  ").last?.split(separator: "\n").dropFirst() ?? []
        #expect(memberLines.count == 1 && memberLines.first?.hasPrefix("seek-test-client") == true, "\(live.out)")

        let refused = try await Self.run(["group", "seek", group, "--to", "start"] + b)
        #expect(refused.status != 0)
        #expect(refused.err.contains("active member"), "\(refused.err)")

        collector.stop()
        try await Self.bounded("consumer close") { await consumer.close() }
        var idle = false
        for _ in 0..<100 where !idle {
            idle = try await Self.run(["group", "describe", group] + b).out.contains("MEMBERS      0")
            if !idle { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(idle, "the group still has members after its only consumer closed")

        let admin = KafkaAdminClient(configuration: broker.configuration)
        defer { Task { await admin.cluster.close() } }
        func committed() async throws -> [Int32: Int64] {
            let offsets = try await Self.bounded("committedOffsets") {
                try await admin.committedOffsets(group: group, topics: [topic])
            }
            return Dictionary(uniqueKeysWithValues: offsets.map { ($0.key.partition, $0.value) })
        }

        let start = try await Self.run(["group", "seek", group, "--to", "start", "--topic", topic] + b)
        #expect(start.status == 0, "\(start.err)")
        #expect(Self.row(start.out, topic: topic, partition: 0) == [topic, "0", "5", "0"], "\(start.out)")
        #expect(try await committed() == [0: 0, 1: 0])
        let lagging = try await Self.run(["group", "describe", group] + b)
        #expect(Self.row(lagging.out, topic: topic, partition: 0) == [topic, "0", "0", "5", "5"], "\(lagging.out)")

        // Without --topic: the partitions the group has committed.
        let end = try await Self.run(["group", "seek", group, "--to", "end"] + b)
        #expect(end.status == 0, "\(end.err)")
        #expect(try await committed() == [0: 5, 1: 1])

        let offset = try await Self.run(["group", "seek", group, "--to", "2", "--topic", topic] + b)
        #expect(offset.status == 0, "\(offset.err)")
        #expect(try await committed() == [0: 2, 1: 1], "2 is past p1's end, so p1 stays at its end")

        // The timestamp of p0's offset 3 (the second batch) seeks p0 there and p1 to its start.
        let stamps = try await Self.run(["consume", topic, "-o", "start", "-e", "-f", #"%p %o %T\n"#] + b)
        let third = try #require(stamps.out.split(separator: "\n").first { $0.hasPrefix("0 3 ") }, "\(stamps.out)")
        let at = try await Self.run(["group", "seek", group, "--to", "@\(third.split(separator: " ")[2])"] + b)
        #expect(at.status == 0, "\(at.err)")
        #expect(try await committed() == [0: 3, 1: 0])

        let dry = try await Self.run(["group", "seek", group, "--to", "start", "--dry-run"] + b)
        #expect(dry.status == 0 && dry.out.contains("dry run"), "\(dry.out)\(dry.err)")
        #expect(try await committed() == [0: 3, 1: 0])

        let nonsense = try await Self.run(["group", "seek", group, "--to", "yesterday"] + b)
        #expect(nonsense.status != 0)
        #expect(nonsense.err.contains("--to yesterday"), "\(nonsense.err)")

        let unknown = try await Self.run(["group", "seek", "never-\(UUID().uuidString.prefix(6))", "--to", "start"] + b)
        #expect(unknown.status != 0)
        #expect(unknown.err.contains("no committed offsets"), "\(unknown.err)")
    }
}
