import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// An independent check that what the client puts on the wire is well formed: tshark's Kafka
/// dissector decodes a capture of the client's traffic with a broker of its own, and finds no
/// malformed packet. tshark 4.0 knows older api versions only, so the client is capped to those.
@Suite(.serialized) struct WireCheckTests {
    /// Highest versions tshark 4.0's dissector decodes (newer ones show as "Unsupported").
    static let tsharkVersionCaps: [Int16: Int16] = [
        0: 8, 1: 11, 2: 5, 3: 9, 8: 8, 9: 7, 10: 3, 11: 7, 12: 4, 13: 4, 14: 5, 15: 5,
        16: 3, 18: 3, 19: 5, 20: 4, 22: 3, 32: 2, 37: 3, 42: 2,
    ]

    @Test func clientTrafficHasNoMalformedKafkaPackets() async throws {
        let broker = try await TansuBroker.start()
        defer { broker.stop() }
        let capture = try TsharkCapture(port: broker.port)
        var config = broker.configuration
        config.maxApiVersions = Self.tsharkVersionCaps
        let admin = KafkaAdminClient(configuration: config)
        let topic = TansuBroker.uniqueTopic("wire")
        try await admin.createTopic(.init(name: topic, partitions: 2, configs: ["retention.ms": "60000"]))
        _ = try await admin.listTopics()
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: config), cluster: admin.cluster)
        for i in 0..<3 {
            try await producer.send(topic: topic, key: "k\(i)", value: "v\(i)")
        }
        await producer.close()
        _ = try await admin.describeConfigs(.topic(topic))
        let partitions = [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)]
        _ = try await admin.logEndOffsets(partitions)
        _ = try await admin.listGroups()
        _ = try await admin.deleteTopics([topic])
        await admin.cluster.close()

        let report = try capture.finish()
        #expect(report.kafkaPackets >= 8, "tshark saw only \(report.kafkaPackets) Kafka packets")
        #expect(report.malformed.isEmpty, "malformed: \(report.malformed)")
        #expect(report.unsupported.isEmpty, "tshark could not decode: \(report.unsupported)")
    }
}

/// tshark capturing one loopback port into a temporary pcap file.
final class TsharkCapture {
    struct Report {
        let kafkaPackets: Int
        let malformed: [String]
        let unsupported: [String]
    }

    static let captureSeconds = 30

    let port: Int
    let file: URL
    private let process: Process

    init(port: Int) throws {
        self.port = port
        file = FileManager.default.temporaryDirectory.appendingPathComponent("wire-\(port).pcap")
        try? FileManager.default.removeItem(at: file)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The capture ends by itself after a fixed time: signals may not reach tshark from a
        // test runner (children inherit its signal mask), and a capture must never outlive a test.
        process.arguments = ["tshark", "-i", "lo", "-f", "tcp port \(port)", "-w", file.path, "-q", "-a", "duration:\(Self.captureSeconds)"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BrokerStartError("tshark cannot run (apt package tshark; make deps installs it): \(error)")
        }
        // Capturing starts when tshark says so on stderr.
        var seen = ""
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && !seen.contains("Capturing on") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard seen.contains("Capturing on") else {
            process.terminate()
            throw BrokerStartError("tshark did not start capturing: \(seen)")
        }
    }

    func finish() throws -> Report {
        process.waitUntilExit()
        let fields = try Self.run(["tshark", "-r", file.path, "-d", "tcp.port==\(port),kafka", "-Y", "kafka",
                                   "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info", "-e", "_ws.malformed",
                                   "-e", "_ws.expert.message"])
        var kafka = 0
        var malformed: [String] = []
        var unsupported: [String] = []
        for line in fields.split(separator: "\n") {
            kafka += 1
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if columns.count > 2 && !columns[2].isEmpty { malformed.append(line.description) }
            // The ApiVersions response lists what the broker offers beyond tshark: not ours.
            if columns.count > 1 && columns[1].contains("[Unsupported API version]") {
                unsupported.append(line.description)
            }
        }
        return Report(kafkaPackets: kafka, malformed: malformed, unsupported: unsupported)
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
