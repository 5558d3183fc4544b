import Foundation
import Synchronization
import PipelineKit
import Testing

/// A pipeline executable started as a child process with its environment, as a container would
/// run it. Logs go to a temporary file named in failures.
final class ServiceProcess: @unchecked Sendable {
    let name: String
    let binary: String
    let environment: [String: String]
    let httpPort: Int
    let logPath: String
    private(set) var process: Process

    init(name: String, binary: String, environment: [String: String], httpPort: Int) {
        self.name = name
        self.binary = binary
        self.environment = environment
        self.httpPort = httpPort
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(httpPort)-\(UUID().uuidString.prefix(6)).log").path
        process = Process()
    }

    /// The directory holding the built executables (next to the test bundle, else .build/debug).
    static func binDirectory() throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path,
            TansuBroker.packageRoot.appendingPathComponent(".build/debug").path,
        ]
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/graph-writer") {
            return dir
        }
        throw BrokerStartError("service executables not found in \(candidates): run `swift build` first")
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        Self.track(process.processIdentifier)
    }

    /// Children still running when the test process exits are killed (no orphans).
    static let running = Mutex<Set<Int32>>([])
    static let installExitHook: Void = {
        atexit {
            for pid in ServiceProcess.running.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
    }()

    static func track(_ pid: Int32) {
        _ = installExitHook
        running.withLock { _ = $0.insert(pid) }
    }

    /// Waits until `/health` answers 200 (bounded); fails with the log's tail otherwise.
    func waitHealthy(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw BrokerStartError("\(name) exited with \(process.terminationStatus): \(logTail())")
            }
            if LoopbackHTTP.request(port: httpPort, path: "/health", timeoutSeconds: 2)?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BrokerStartError("\(name) not healthy within \(timeout): \(logTail())")
    }

    func get(_ path: String) -> LoopbackHTTP.Response? { LoopbackHTTP.request(port: httpPort, path: path) }

    func stats() throws -> PipelineMetrics.Stats {
        guard let response = get("/stats"), response.status == 200 else { throw BrokerStartError("\(name): /stats unavailable") }
        return try JSONDecoder().decode(PipelineMetrics.Stats.self, from: Data(response.body.utf8))
    }

    /// SIGTERM, then waits for the exit (bounded); answers the exit status.
    @discardableResult
    func terminate(timeout: Duration = .seconds(30)) async throws -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        return try await waitExit(timeout: timeout)
    }

    func kill9() async throws {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = try await waitExit(timeout: .seconds(10))
    }

    func waitExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw BrokerStartError("\(name) did not exit within \(timeout): \(logTail())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Self.running.withLock { _ = $0.remove(process.processIdentifier) }
        return process.terminationStatus
    }

    func logTail(_ bytes: Int = 3_000) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log at \(logPath))" }
        return "log \(logPath): …" + String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
