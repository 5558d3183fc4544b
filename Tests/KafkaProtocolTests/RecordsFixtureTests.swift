import Foundation
import KafkaCompression
import KafkaProtocol
import Testing

// MARK: support shared by the Records*Tests files

enum RecordsFixtures {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/codecs")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func manifest() throws -> RecordsManifest {
        try JSONDecoder().decode(RecordsManifest.self, from: Data(try bytes("manifest.json")))
    }

    static let batchFiles = ["batch-v2-none.bin", "batch-v2-gzip.bin", "batch-v2-snappy.bin", "batch-v2-lz4.bin",
                             "batch-v2-zstd.bin", "batch-v2-control-commit.bin"]
    static let legacyFiles = ["legacy-v0-none.bin", "legacy-v1-none.bin", "legacy-v1-gzip.bin",
                              "legacy-v0-snappy.bin", "legacy-v1-snappy.bin", "legacy-v0-lz4.bin", "legacy-v1-lz4.bin"]
}

struct RecordsManifest: Decodable {
    struct ExpectedRecord: Decodable {
        var offset: Int64
        var timestamp: Int64?
        var key: String?
        var value: String?
        var headers: [[String?]]?
    }
    struct Control: Decodable {
        var version: Int16
        var type: Int16
        var coordinatorEpoch: Int32
    }
    struct Batch: Decodable {
        var codec: String
        var baseOffset: Int64
        var baseTimestamp: Int64
        var maxTimestamp: Int64
        var lastOffsetDelta: Int32
        var producerId: Int64
        var producerEpoch: Int16
        var baseSequence: Int32
        var isTransactional: Bool
        var isControl: Bool
        var control: Control?
        var records: [ExpectedRecord]
    }
    struct Legacy: Decodable {
        var magic: Int8
        var codec: String
        var wrapperOffset: Int64?
        var records: [ExpectedRecord]
    }
    var batches: [String: Batch]
    var legacy: [String: Legacy]
}

func base64Bytes(_ string: String?) -> [UInt8]? {
    guard let string else { return nil }
    return Data(base64Encoded: string).map { [UInt8]($0) }
}

/// Runs `python3 -c script args…`; a missing interpreter or package fails the test loudly.
func recordsRunPython(_ script: String, _ arguments: [String] = []) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let message = String(decoding: stderr, as: UTF8.self)
        Issue.record("python3 with kafka-python (and python-snappy, lz4, zstandard) is required: \(message)")
        throw RecordsPythonError(message: message)
    }
    return stdout
}

struct RecordsPythonError: Error { var message: String }

/// SplitMix64: deterministic test data and mutations.
struct RecordsRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

// MARK: fixtures written by kafka-python

@Suite("Record batches written by kafka-python")
struct RecordsFixtureTests {
    @Test("v2 batch: every header field and record matches the manifest", arguments: RecordsFixtures.batchFiles)
    func v2Batch(_ name: String) throws {
        let expected = try #require(try RecordsFixtures.manifest().batches[name])
        let bytes = try RecordsFixtures.bytes(name)
        let batch = try RecordBatch.decode(bytes)
        #expect(batch.baseOffset == expected.baseOffset)
        #expect(Int(batch.batchLength) == bytes.count - 12)
        #expect(batch.magic == 2)
        #expect(batch.partitionLeaderEpoch == 0)
        #expect(batch.compression.name == expected.codec)
        #expect(batch.timestampType == .createTime)
        #expect(batch.isTransactional == expected.isTransactional)
        #expect(batch.isControl == expected.isControl)
        #expect(!batch.hasDeleteHorizon)
        #expect(batch.lastOffsetDelta == expected.lastOffsetDelta)
        #expect(batch.baseTimestamp == expected.baseTimestamp)
        #expect(batch.maxTimestamp == expected.maxTimestamp)
        #expect(batch.producerId == expected.producerId)
        #expect(batch.producerEpoch == expected.producerEpoch)
        #expect(batch.baseSequence == expected.baseSequence)
        #expect(batch.crc == CRC32C.checksum(bytes[21...]))
        try #require(batch.records.count == expected.records.count)
        for (record, want) in zip(batch.records, expected.records) {
            #expect(batch.offset(of: record) == want.offset)
            #expect(batch.timestamp(of: record) == want.timestamp)
            #expect(record.key == base64Bytes(want.key))
            #expect(record.value == base64Bytes(want.value))
            let headers = (want.headers ?? []).map { RecordHeader(key: $0[0] ?? "", value: base64Bytes($0[1])) }
            #expect(record.headers == headers)
        }
        if let control = expected.control {
            let markers = try batch.controlRecords()
            #expect(markers.count == 1)
            #expect(markers.first?.keyVersion == control.version)
            #expect(markers.first?.type.rawValue == control.type)
            #expect(markers.first?.type == .commit)
            #expect(markers.first?.coordinatorEpoch == control.coordinatorEpoch)
        }
    }

    @Test("v2 batch re-encodes: uncompressed byte-identical, compressed to the same records", arguments: RecordsFixtures.batchFiles)
    func reencode(_ name: String) throws {
        let bytes = try RecordsFixtures.bytes(name)
        let batch = try RecordBatch.decode(bytes)
        let encoded = try RecordBatchEncoder.encode(batch)
        if batch.compression == .none {
            #expect(encoded == bytes)
        } else {
            var again = try RecordBatch.decode(encoded)
            #expect(again.records == batch.records)
            again.crc = batch.crc
            again.batchLength = batch.batchLength
            #expect(again == batch)
        }
    }

    @Test("legacy message set: offsets, timestamps, keys, values", arguments: RecordsFixtures.legacyFiles)
    func legacy(_ name: String) throws {
        let expected = try #require(try RecordsFixtures.manifest().legacy[name])
        let set = try RecordSetDecoder().decode(try RecordsFixtures.bytes(name))
        #expect(set.truncatedTailBytes == 0)
        #expect(set.batches.isEmpty)
        let messages = set.legacyMessages
        try #require(messages.count == expected.records.count)
        for (message, want) in zip(messages, expected.records) {
            #expect(message.magic == expected.magic)
            #expect(message.offset == want.offset)
            #expect(message.timestamp == want.timestamp)
            #expect(message.key == base64Bytes(want.key))
            #expect(message.value == base64Bytes(want.value))
            #expect(message.compression == .none)
            #expect(message.wrapperCompression.name == expected.codec)
            #expect(message.timestampType == .createTime)
        }
    }

    @Test("a records field mixing every fixture, cut mid-batch, reports the tail")
    func mixedSetWithTruncatedTail() throws {
        var field: [UInt8] = []
        var expectedEntries = 0
        let manifest = try RecordsFixtures.manifest()
        for name in RecordsFixtures.batchFiles {
            field += try RecordsFixtures.bytes(name)
            expectedEntries += 1
        }
        for name in RecordsFixtures.legacyFiles {
            field += try RecordsFixtures.bytes(name)
            expectedEntries += manifest.legacy[name]?.records.count ?? 0
        }
        let partial = Array(try RecordsFixtures.bytes("batch-v2-none.bin").prefix(100))
        let set = try RecordSetDecoder().decode(field + partial)
        #expect(set.entries.count == expectedEntries)
        #expect(set.batches.count == RecordsFixtures.batchFiles.count)
        #expect(set.truncatedTailBytes == 100)
        #expect(try RecordSetDecoder().decode(field).truncatedTailBytes == 0)
    }

    @Test("kafka-python reads the batches we encode", arguments: CompressionCodec.allCases)
    func peerReadsOurBatch(_ codec: CompressionCodec) throws {
        var records: [Record] = []
        for i in 0..<20 {
            let key: [UInt8]? = i == 4 ? nil : Array("k\(i)".utf8)
            let value: [UInt8]? = i == 6 ? nil : Array(String(repeating: "v\(i)", count: 50).utf8)
            var headers: [RecordHeader] = []
            if i % 3 == 0 { headers = [RecordHeader(key: "h", value: [UInt8(i)]), RecordHeader(key: "n", value: nil)] }
            records.append(Record(timestampDelta: Int64(i * 3), offsetDelta: Int32(i), key: key, value: value, headers: headers))
        }
        let batch = RecordBatch(baseOffset: 500, attributes: .init(compression: codec), baseTimestamp: 1_700_000_000_000,
                                producerId: 9, producerEpoch: 1, baseSequence: 0, records: records)
        let encoded = try batch.encoded()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-batch-\(UUID().uuidString)")
        try Data(encoded).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import sys, json, base64
        from kafka.record.default_records import DefaultRecordBatch
        b = DefaultRecordBatch(open(sys.argv[1], 'rb').read())
        assert b.validate_crc(), 'crc'
        out = {'codec': b.compression_type, 'base': b.base_offset, 'pid': b.producer_id, 'records': [
            [r.offset, r.timestamp, r.key and base64.b64encode(r.key).decode(), r.value and base64.b64encode(r.value).decode(),
             [[k, v and base64.b64encode(v).decode()] for k, v in r.headers]] for r in b]}
        print(json.dumps(out))
        """
        let output = try recordsRunPython(script, [file.path])
        let object = try #require(JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(object["codec"] as? Int == Int(codec.rawValue))
        #expect(object["base"] as? Int == 500)
        #expect(object["pid"] as? Int == 9)
        let peerRecords = try #require(object["records"] as? [[Any]])
        try #require(peerRecords.count == records.count)
        for (peer, record) in zip(peerRecords, records) {
            #expect(peer[0] as? Int == Int(500 + Int64(record.offsetDelta)))
            #expect(peer[1] as? Int == Int(1_700_000_000_000 + record.timestampDelta))
            #expect(base64Bytes(peer[2] as? String) == record.key)
            #expect(base64Bytes(peer[3] as? String) == record.value)
            let headers = (peer[4] as? [[Any]] ?? []).map { RecordHeader(key: $0[0] as? String ?? "", value: base64Bytes($0[1] as? String)) }
            #expect(headers == record.headers)
        }
    }
}
