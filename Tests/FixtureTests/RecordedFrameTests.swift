import Testing
import KafkaCompression
import KafkaProtocol

/// Every frame recorded from a real peer decodes, re-encodes to the same bytes, and survives
/// truncation and mutation without crashing.
@Suite struct RecordedFrameTests {
    @Test func manifestIsPresentAndNonTrivial() {
        #expect(FixtureCatalog.fixtures.count >= 100, "Fixtures/frames/manifest.json lists too few frames")
        #expect(!FixtureCatalog.expectations.isEmpty)
    }

    @Test(arguments: FixtureCatalog.fixtures)
    func decodesAndReencodesByteForByte(_ fixture: Fixture) throws {
        let payload = try fixture.payload()
        if fixture.isBeyondOurSpecs {
            // A peer spoke a version newer than Apache Kafka's specs we generate from (the mock
            // cluster's Metadata v13): it must be refused with a typed error, not misread.
            #expect(throws: KafkaCodecError.self) { try fixture.decode(payload) }
            return
        }
        let decoded = try fixture.decode(payload)
        let reencoded = try decoded.reencode()
        // Bytes after the body (librdkafka's Metadata request, the mock cluster's ApiVersions
        // rejection) are not part of the message; everything before them must match exactly.
        let expected = Array(payload.prefix(payload.count - decoded.trailingBytes))
        if let offset = firstDifference(reencoded, expected) {
            Issue.record("re-encoded bytes differ from the recorded ones at byte \(offset) of \(expected.count) (ours \(reencoded.count) bytes): recorded \(expected[offset...].prefix(12).map { $0 }), ours \(reencoded.dropFirst(offset).prefix(12).map { $0 })")
        }
        #expect(decoded.trailingBytes <= 8, "\(decoded.trailingBytes) bytes left after the body")
        for records in decoded.tree.allRecordFields {
            let set = try RecordSetDecoder().decode(records)
            // Only fetch responses may end in a partial batch (the broker cuts at its limit).
            if fixture.apiKey != 1 || fixture.isRequest { #expect(set.truncatedTailBytes == 0) }
            for batch in set.batches where batch.compression == .none && !batch.records.isEmpty {
                // An uncompressed batch written by a real client re-encodes to its own bytes.
                let original = batchBytes(records, startingAt: batch)
                #expect(try RecordBatchEncoder.encode(batch) == original)
            }
        }
    }

    @Test(arguments: FixtureCatalog.fixtures)
    func everyStrictPrefixThrowsATypedError(_ fixture: Fixture) throws {
        let payload = try fixture.payload()
        if fixture.isBeyondOurSpecs { return }
        let body = payload.count - (try fixture.decode(payload)).trailingBytes
        // Long frames are sampled so the suite stays quick; every prefix of short ones is tried.
        let stride = max(1, body / 2000)
        for length in Swift.stride(from: 0, to: body, by: stride) {
            do {
                _ = try fixture.decode(Array(payload.prefix(length)))
                Issue.record("\(fixture.file): a \(length)-byte prefix of \(body) decoded without error")
            } catch is KafkaCodecError {
            } catch {
                Issue.record("\(fixture.file): prefix \(length) threw a foreign error \(error)")
            }
        }
    }

    @Test(arguments: FixtureCatalog.fixtures)
    func randomMutationsNeverCrash(_ fixture: Fixture) async throws {
        let payload = try fixture.payload()
        var rng = SplitMix64(seed: UInt64(truncatingIfNeeded: fixture.file.hashValueStable))
        for round in 0..<1500 {
            // CPU-bound: let other suites' async work (network tests) run in between.
            if round % 100 == 0 { await Task.yield() }
            var mutated = payload
            switch rng.next() % 4 {
            case 0:
                let i = Int(rng.next() % UInt64(mutated.count))
                mutated[i] = UInt8(truncatingIfNeeded: rng.next())
            case 1:
                let i = Int(rng.next() % UInt64(mutated.count))
                mutated[i] ^= 1 << UInt8(rng.next() % 8)
            case 2:
                let i = Int(rng.next() % UInt64(mutated.count))
                mutated.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF].prefix(Int(rng.next() % 4) + 1), at: i)
            default:
                let i = Int(rng.next() % UInt64(mutated.count))
                mutated.removeSubrange(i..<min(mutated.count, i + Int(rng.next() % 8) + 1))
            }
            // Either outcome is fine; what must not happen is a trap or a hang.
            if let decoded = try? fixture.decode(mutated) {
                for records in decoded.tree.allRecordFields {
                    _ = try? RecordSetDecoder(options: .init(maxDecompressedSize: 1 << 20)).decode(records)
                }
            }
        }
    }

    func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    /// The bytes of one batch inside a records field, found by its base offset position.
    func batchBytes(_ records: [UInt8], startingAt batch: RecordBatch) -> [UInt8] {
        var reader = WireReader(records)
        while reader.remaining >= RecordBatch.logOverhead {
            let start = reader.offset
            guard let baseOffset = try? reader.readInt64(), let length = try? reader.readInt32(),
                  length >= 0, (try? reader.skip(Int(length))) != nil else { break }
            if baseOffset == batch.baseOffset {
                return Array(records[start..<(start + RecordBatch.logOverhead + Int(length))])
            }
        }
        return []
    }
}

/// A small deterministic RNG so mutation runs are reproducible.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    /// FNV-1a: stable across runs, unlike `hashValue`.
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}
