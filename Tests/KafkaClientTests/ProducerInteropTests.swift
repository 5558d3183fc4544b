import Foundation
import KafkaClient
import KafkaCompression
import KafkaProtocol
import Testing

/// What our producer writes, read back by librdkafka and kafka-python (python peers under
/// scripts/interop). A missing python or package fails the test with the reason: never a skip.
@Suite struct ProducerInteropTests {
    static let scripts = TansuBroker.packageRoot.appendingPathComponent("scripts/interop")

    struct PeerRecord: Decodable, Equatable {
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var key: String?
        var value: String?
        var headers: [[String?]]
    }

    /// Runs a python peer and returns its stdout; throws with its stderr when it fails. Output
    /// goes to files and exit is awaited through the termination handler, so no test thread blocks.
    static func runPython(_ script: String, _ arguments: [String]) async throws -> Data {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scripts.appendingPathComponent(script).path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: BrokerStartError("cannot run python3 (needed for interop tests): \(error)"))
            }
        }
        guard status == 0 else {
            let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw BrokerStartError("python3 \(script) failed (\(status)): \(errors)")
        }
        return try Data(contentsOf: outURL)
    }

    static func hex(_ bytes: [UInt8]?) -> String? {
        bytes.map { $0.map { String(format: "%02x", $0) }.joined() }
    }

    @Test(arguments: CompressionCodec.allCases)
    func librdkafkaAndKafkaPythonReadWhatWeWrite(codec: CompressionCodec) async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker, prefix: "interop")
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker) { $0.compression = codec })
        var expected: [PeerRecord] = []
        let base: Int64 = 1_710_000_000_000
        for i in 0..<50 {
            let key: [UInt8]? = i % 7 == 0 ? nil : Array("k\(i)".utf8)
            let value: [UInt8]? = i % 11 == 5 ? nil : Array("value \(i) ü".utf8) + [0, 255, UInt8(i)]
            let headers = i % 3 == 0 ? [] : [RecordHeader(key: "h-\(i)", value: Array("x\(i)".utf8)), RecordHeader(key: "n", value: nil)]
            try await producer.enqueue(topic: topic, key: key, value: value, headers: headers, partition: 0, timestamp: base + Int64(i) * 13)
            expected.append(PeerRecord(partition: 0, offset: -1, timestamp: base + Int64(i) * 13, key: Self.hex(key), value: Self.hex(value),
                                       headers: headers.map { [$0.key, Self.hex($0.value)] }))
        }
        await producer.close()
        var offsets: [Int64] = []
        for await report in producer.deliveryReports {
            guard case let .success(metadata) = report.result else { Issue.record("\(report.result)"); continue }
            offsets.append(metadata.offset)
        }
        for i in expected.indices where i < offsets.count { expected[i].offset = offsets[i] }
        for peer in ["rdkafka", "kafkapython"] {
            let output = try await Self.runPython("consume_records.py", [peer, broker.brokers, topic, "0", "\(expected.count)"])
            let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
            let read = try lines.map { try JSONDecoder().decode(PeerRecord.self, from: Data($0.utf8)) }
            #expect(read == expected, "\(peer) with \(codec)")
        }
    }

    @Test func partitionerMatchesLibrdkafkaMurmur2Random() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker, partitions: 7, prefix: "murmur")
        let output = try await Self.runPython("rdkafka_partitions.py", [broker.brokers, topic, "10000"])
        let theirs = try JSONDecoder().decode([String: Int32].self, from: output)
        #expect(theirs.count == 10_000)
        var mismatches = 0
        for (key, partition) in theirs where Partitioner.partition(forKey: Array(key.utf8), partitionCount: 7) != partition {
            mismatches += 1
        }
        #expect(mismatches == 0)
        // And our producer routes the same keys the same way.
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker))
        for i in stride(from: 0, to: 10_000, by: 97) {
            let metadata = try await producer.send(topic: topic, key: "key-\(i)", value: "v")
            #expect(metadata.partition == theirs["key-\(i)"])
        }
        await producer.close()
    }
}
