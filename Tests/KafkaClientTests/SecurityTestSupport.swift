import Foundation
import KafkaClient
import Synchronization

/// Certificates the TLS tests make with the `openssl` tool: a CA, a server certificate it
/// signs for 127.0.0.1 and localhost, a second server certificate for another host name, a
/// client certificate, and an unrelated CA that trusts none of them.
struct TestCertificates: Sendable {
    let directory: URL
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var otherCAFile: String { directory.appendingPathComponent("other-ca.pem").path }
    var serverCert: String { directory.appendingPathComponent("server.pem").path }
    var serverKey: String { directory.appendingPathComponent("server.key").path }
    var elsewhereCert: String { directory.appendingPathComponent("elsewhere.pem").path }
    var elsewhereKey: String { directory.appendingPathComponent("elsewhere.key").path }
    var clientCert: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }

    /// Made once per test process (four RSA keys take a moment).
    static let shared = Once<TestCertificates> { try make() }

    static func make() throws -> TestCertificates {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let certs = TestCertificates(directory: dir)
        func ca(_ name: String, _ subject: String) throws {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject,
                         "-keyout", "\(name).key", "-out", "\(name).pem",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: dir)
        }
        func leaf(_ name: String, cn: String, san: String, usage: String = "serverAuth") throws {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(cn)",
                         "-keyout", "\(name).key", "-out", "\(name).csr"], in: dir)
            try "subjectAltName=\(san)\nextendedKeyUsage=\(usage)\n"
                .write(to: dir.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                         "-days", "2", "-extfile", "\(name).ext", "-out", "\(name).pem"], in: dir)
        }
        try ca("ca", "/CN=swift-kafka test CA")
        try ca("other-ca", "/CN=unrelated test CA")
        try leaf("server", cn: "localhost", san: "IP:127.0.0.1,DNS:localhost")
        try leaf("elsewhere", cn: "broker.elsewhere.test", san: "DNS:broker.elsewhere.test")
        try leaf("client", cn: "swift-kafka-client", san: "DNS:swift-kafka-client", usage: "clientAuth")
        return certs
    }

    private static func openssl(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrokerStartError("openssl \(arguments.first ?? "") failed (install openssl: make deps): \(String(decoding: message, as: UTF8.self))")
        }
    }
}

/// `scripts/interop/tls_terminator.py`: a loopback proxy in front of a broker, terminating TLS
/// when given a certificate, counting the connections it accepts and sees end.
final class Terminator: Sendable {
    let port: Int
    let countFile: String
    private let process: Process
    private let input: FileHandle

    init(upstreamPort: Int, certificate: String? = nil, key: String? = nil, clientCA: String? = nil) throws {
        let script = TansuBroker.packageRoot.appendingPathComponent("scripts/interop/tls_terminator.py").path
        countFile = FileManager.default.temporaryDirectory.appendingPathComponent("terminator-\(UUID().uuidString.prefix(8)).count").path
        var arguments = ["python3", script, "--upstream", "127.0.0.1:\(upstreamPort)", "--count-file", countFile]
        if let certificate, let key { arguments += ["--cert", certificate, "--key", key] }
        if let clientCA { arguments += ["--client-ca", clientCA] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.input = stdin.fileHandleForWriting
        guard let line = Self.readLine(stdout.fileHandleForReading), line.hasPrefix("LISTENING "),
              let port = Int(line.dropFirst("LISTENING ".count)) else {
            process.terminate()
            throw BrokerStartError("the TLS terminator (scripts/interop/tls_terminator.py) did not start")
        }
        self.port = port
    }

    /// Connections accepted so far and connections that have ended.
    var counts: (accepted: Int, closed: Int) {
        guard let text = try? String(contentsOfFile: countFile, encoding: .utf8) else { return (0, 0) }
        let parts = text.split(separator: " ").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
    }

    deinit {
        try? input.close()
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

/// A Tansu of a test suite's own: plaintext on `port`, advertising `advertisedPort` (where a
/// terminator or proxy listens), with extra flags such as `--authentication`.
enum DedicatedTansu {
    private static let pids = Mutex<[Int32]>([])

    static func start(port: Int, advertisedPort: Int, extraArguments: [String] = []) async throws -> Process {
        let process = Process()
        process.executableURL = try TansuBroker.binary()
        process.arguments = [
            "broker",
            "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(advertisedPort)",
            "--storage-engine", "memory://tansu/",
        ] + extraArguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tansu-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let first = pids.withLock { list in
            list.append(process.processIdentifier)
            return list.count == 1
        }
        if first { atexit { DedicatedTansu.terminateAll() } }
        // Ready when its own port answers ApiVersions (allowed before SASL).
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            guard process.isRunning else {
                throw BrokerStartError("Tansu exited with status \(process.terminationStatus); log: \(log.path)")
            }
            if let session = try? await BrokerSession.open(host: "127.0.0.1", port: port) {
                session.close()
                return process
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        process.terminate()
        throw BrokerStartError("Tansu did not answer ApiVersions within 15 s; log: \(log.path)")
    }

    /// SIGKILL: children of the test runner inherit its blocked signal mask, so Tansu never
    /// sees a SIGTERM and would outlive the tests.
    static func terminateAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}

/// Runs `make` once per process, shared by every test that asks.
actor Once<Value: Sendable> {
    private var task: Task<Value, any Error>?
    private let make: @Sendable () async throws -> Value
    init(_ make: @escaping @Sendable () async throws -> Value) { self.make = make }

    func get() async throws -> Value {
        if let task { return try await task.value }
        let task = Task { try await make() }
        self.task = task
        return try await task.value
    }
}
