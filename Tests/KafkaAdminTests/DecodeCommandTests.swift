import Foundation
import Testing

/// `kafka-admin decode` as a user runs it: the built binary on recorded fixtures.
@Suite struct DecodeCommandTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func kafkaAdmin(_ arguments: [String]) throws -> Run {
        let path = ProcessInfo.processInfo.environment["KAFKA_ADMIN_BIN"]
            ?? root.appendingPathComponent(".build/debug/kafka-admin").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CLIError("kafka-admin not built at \(path): run `swift build` (make test does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func fixture(_ scenario: String, apiKey: Int, direction: String) throws -> URL {
        let dir = root.appendingPathComponent("Fixtures/frames/\(scenario)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        guard let name = names.first(where: { $0.contains("-\(apiKey)-v") && $0.hasSuffix("-\(direction).bin") }) else {
            throw CLIError("no api \(apiKey) \(direction) fixture in \(scenario)")
        }
        return dir.appendingPathComponent(name)
    }

    @Test func producedRecordsPrintWithSpecNamesAndTheirCodec() throws {
        let file = try Self.fixture("rdkafka-produce-gzip", apiKey: 0, direction: "request")
        let run = try Self.kafkaAdmin(["decode", file.path, "--request"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["apiName"] as? String == "Produce")
        #expect(run.stdout.contains("\"TopicData\""))
        #expect(run.stdout.contains("\"codec\": \"gzip\""))
        #expect(run.stdout.contains("\"key\": \"key-0\""))
        #expect(run.stdout.contains("\"value\": \"value-gzip-0\""))
    }

    @Test func responsesNeedTheirApiAndDecodeWithIt() throws {
        let file = try Self.fixture("rdkafka-produce-gzip", apiKey: 1, direction: "response")
        let version = file.lastPathComponent.split(separator: "-")[2].dropFirst()
        let missing = try Self.kafkaAdmin(["decode", file.path, "--response"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--api-key"))
        let run = try Self.kafkaAdmin(["decode", file.path, "--response", "--api-key", "1", "--api-version", String(version)])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"HighWatermark\""))
    }

    @Test func binaryBytesPrintAsBase64() throws {
        // JoinGroup carries the consumer protocol's binary metadata.
        let file = try Self.fixture("rdkafka-group-admin", apiKey: 11, direction: "request")
        let run = try Self.kafkaAdmin(["decode", file.path, "--request"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"base64\""))
    }

    @Test func truncatedFrameSaysWhere() throws {
        let file = try Self.fixture("rdkafka-produce-gzip", apiKey: 0, direction: "request")
        let bytes = try Data(contentsOf: file)
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID()).bin")
        try bytes.prefix(60).write(to: truncated)
        let run = try Self.kafkaAdmin(["decode", truncated.path, "--request"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("truncated"), "\(run.stderr)")
        // The same bytes as a bare payload fail inside the message, naming field and offset.
        let body = Array(bytes.dropFirst(4).prefix(40))
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("raw-\(UUID()).bin")
        try Data(body).write(to: raw)
        let rawRun = try Self.kafkaAdmin(["decode", raw.path, "--request", "--raw"])
        #expect(rawRun.status == 1)
        #expect(rawRun.stderr.contains("at byte"), "\(rawRun.stderr)")
        #expect(rawRun.stderr.contains("field"), "\(rawRun.stderr)")
    }

    @Test func corruptBatchFailsWithTheRecordsPath() throws {
        let file = try Self.fixture("rdkafka-produce-gzip", apiKey: 0, direction: "request")
        var bytes = [UInt8](try Data(contentsOf: file))
        bytes[bytes.count - 10] ^= 0xFF  // inside the compressed records: the CRC no longer matches
        let corrupt = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID()).bin")
        try Data(bytes).write(to: corrupt)
        let run = try Self.kafkaAdmin(["decode", corrupt.path, "--request"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("CRC mismatch"), "\(run.stderr)")
        #expect(run.stderr.contains("TopicData[0].PartitionData[0].Records"), "\(run.stderr)")
    }

    @Test func httpBytesAreRecognised() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID()).bin")
        try Data("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8).write(to: file)
        let run = try Self.kafkaAdmin(["decode", file.path, "--request"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("HTTP"), "\(run.stderr)")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
