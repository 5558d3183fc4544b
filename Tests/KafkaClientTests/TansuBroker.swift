import Foundation
import KafkaClient
import KafkaProtocol
import Synchronization
import Testing

/// A real Tansu broker on a free loopback port, started once per test process. Tansu comes
/// from the pinned PyPI wheel that `scripts/install-deps.sh` (run by `.ci/run` and `make deps`)
/// unpacks into `.tools/bin/tansu`. If it cannot start, tests fail with the reason: they never
/// skip.
final class TansuBroker: Sendable {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let port: Int
    let process: Process

    var brokers: String { "127.0.0.1:\(port)" }

    var configuration: ClientConfiguration {
        var config = ClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: port)])
        config.clientId = "swift-kafka-tests"
        config.requestTimeoutMs = 15_000
        return config
    }

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// Stops a broker of the test's own (not the shared one). SIGKILL: children of the test
    /// runner inherit its blocked SIGTERM, so `terminate()` would leave Tansu running.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The shared broker; the first caller starts it.
    static func shared() async throws -> TansuBroker {
        try await SharedBroker.instance.get()
    }

    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["TANSU_BIN"] { return URL(fileURLWithPath: path) }
        let url = packageRoot.appendingPathComponent(".tools/bin/tansu")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BrokerStartError("Tansu not found at \(url.path): run `make deps` (scripts/install-deps.sh)")
        }
        return url
    }

    static func start() async throws -> TansuBroker {
        let binary = try binary()
        let port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "broker",
            "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
            "--storage-engine", "memory://tansu/",
        ]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tansu-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let broker = TansuBroker(port: port, process: process)
        // Ready when it answers an ApiVersions request, not merely when the port is open.
        let deadline = Date().addingTimeInterval(15)
        var lastError: (any Error)?
        while Date() < deadline {
            guard process.isRunning else {
                throw BrokerStartError("Tansu exited with status \(process.terminationStatus); log: \(log.path)")
            }
            do {
                let session = try await BrokerSession.open(host: "127.0.0.1", port: port)
                session.close()
                return broker
            } catch {
                lastError = error
                try await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        process.terminate()
        throw BrokerStartError("Tansu did not answer ApiVersions within 15 s: \(lastError.map { "\($0)" } ?? "?"); log: \(log.path)")
    }

    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BrokerStartError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw BrokerStartError("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A topic name no other test uses.
    static func uniqueTopic(_ prefix: String = "t") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

struct BrokerStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts the broker once, even when suites ask concurrently; stops it at process exit.
actor SharedBroker {
    static let instance = SharedBroker()
    private var task: Task<TansuBroker, any Error>?

    func get() async throws -> TansuBroker {
        if let task { return try await task.value }
        let task = Task { try await TansuBroker.start() }
        self.task = task
        let broker = try await task.value
        atexit { SharedBroker.terminateAtExit() }
        SharedBroker.running.withLock { $0 = broker.process.processIdentifier }
        return broker
    }

    static let running = Mutex<Int32>(0)

    static func terminateAtExit() {
        let pid = running.withLock { $0 }
        // SIGKILL: processes started by the test runner inherit a blocked SIGTERM, so Tansu
        // would ignore a polite stop and outlive the tests.
        if pid > 0 { kill(pid, SIGKILL) }
    }
}
