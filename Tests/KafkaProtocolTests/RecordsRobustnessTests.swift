import Foundation
import KafkaCompression
import KafkaProtocol
import Testing

@Suite("Record batches: hostile and broken input")
struct RecordsRobustnessTests {
    static let allFiles = RecordsFixtures.batchFiles + RecordsFixtures.legacyFiles

    @Test("every strict prefix of a v2 batch throws", arguments: RecordsFixtures.batchFiles)
    func batchPrefixesThrow(_ name: String) throws {
        let bytes = try RecordsFixtures.bytes(name)
        for cut in 0..<bytes.count {
            #expect(throws: KafkaCodecError.self, "prefix \(cut)") { try RecordBatch.decode(Array(bytes[..<cut])) }
        }
    }

    @Test("every strict prefix of a records field yields whole entries plus a reported tail", arguments: allFiles)
    func setPrefixesReportTail(_ name: String) throws {
        let bytes = try RecordsFixtures.bytes(name)
        let whole = try RecordSetDecoder().decode(bytes)
        for cut in 0..<bytes.count {
            let set = try RecordSetDecoder().decode(Array(bytes[..<cut]))
            if name.hasPrefix("batch") {
                // One batch: nothing whole, the whole prefix is the tail.
                #expect(set.entries.isEmpty && set.truncatedTailBytes == cut)
            } else {
                // Several messages: a cut at a message boundary leaves no tail.
                #expect(set.truncatedTailBytes <= cut)
            }
            #expect(whole.entries.starts(with: set.entries))
            #expect(set.entries.count < whole.entries.count)
        }
    }

    @Test("a flipped byte under the CRC gives crcMismatch", arguments: allFiles)
    func flippedByte(_ name: String) throws {
        let bytes = try RecordsFixtures.bytes(name)
        let isV2 = name.hasPrefix("batch")
        // v2: CRC covers attributes (byte 21) to the end. Legacy: magic (byte 16) to the end of
        // the first message; skip the magic itself (a changed magic is a different error).
        let firstLegacyEnd = 12 + Int(UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11]))
        let range = isV2 ? 21..<bytes.count : 17..<firstLegacyEnd
        for position in range {
            var mutated = bytes
            mutated[position] ^= 0x5A
            do {
                _ = try RecordSetDecoder().decode(mutated)
                Issue.record("flip at \(position) decoded")
            } catch let error as KafkaCodecError {
                guard case .crcMismatch = error.kind else {
                    Issue.record("flip at \(position): \(error)")
                    continue
                }
                #expect(error.offset == (isV2 ? 17 : 12))
                #expect(error.fieldPath == (isV2 ? "Batch[0].CRC" : "Message[0].CRC"))
            }
        }
    }

    @Test("a 100 MB decompression bomb stops at the configured 1 MB", arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func bomb(_ codec: CompressionCodec) throws {
        let zeros = [UInt8](repeating: 0, count: 100 * 1024 * 1024)
        let batch = RecordBatch(attributes: .init(compression: codec), baseTimestamp: 0,
                                records: [Record(offsetDelta: 0, key: nil, value: zeros)])
        let encoded = try batch.encoded()
        #expect(encoded.count < 6 * 1024 * 1024)
        let decoder = RecordSetDecoder(options: .init(maxDecompressedSize: 1 << 20))
        do {
            _ = try decoder.decode(encoded)
            Issue.record("bomb decoded")
        } catch let error as KafkaCodecError {
            #expect(error.kind == .lengthExceedsLimit(length: (1 << 20) + 1, limit: 1 << 20))
            #expect(error.offset == RecordBatch.headerSize)
            #expect(error.fieldPath == "Batch[0].Records")
        }
    }

    @Test("errors carry the byte offset and a path like Batch[1].Records[5].Headers[0].Key")
    func errorPath() throws {
        func batch(_ base: Int64) -> RecordBatch {
            RecordBatch(baseOffset: base, baseTimestamp: 0, records: (0..<8).map {
                Record(offsetDelta: Int32($0), key: [1], value: [2], headers: [RecordHeader(key: "ab", value: nil)])
            })
        }
        let first = try batch(0).encoded()
        var second = try batch(8).encoded()
        // Each record here is 13 bytes (length varint + 12); corrupt record 5's header key
        // with invalid UTF-8 and recompute the CRC so decoding reaches it.
        let recordStart = RecordBatch.headerSize + 5 * 13
        let keyByte = recordStart + 10
        #expect(second[keyByte] == UInt8(ascii: "a"))
        second[keyByte] = 0xFF
        let crc = CRC32C.checksum(second[21...])
        second.replaceSubrange(17..<21, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        do {
            _ = try RecordSetDecoder().decode(first + second)
            Issue.record("decoded")
        } catch let error as KafkaCodecError {
            #expect(error.kind == .invalidUTF8)
            #expect(error.fieldPath == "Batch[1].Records[5].Headers[0].Key")
            #expect(error.offset == first.count + keyByte - 1)
        }
    }

    @Test("unknown codec 5-7, bad magic, negative lengths are typed errors")
    func headerErrors() throws {
        let bytes = try RecordsFixtures.bytes("batch-v2-none.bin")
        var codec = bytes
        codec[22] |= 0x07
        #expect(throws: KafkaCodecError(.unknownCompressionCodec(7), offset: 21, path: ["Attributes"])) {
            try RecordBatch.decode(codec, options: .init(verifyChecksums: false))
        }
        var magic = bytes
        magic[16] = 3
        #expect(throws: KafkaCodecError(.unsupportedMagic(3), offset: 16, path: ["Batch[0]"])) {
            try RecordSetDecoder().decode(magic)
        }
        var length = bytes
        length[8] = 0xFF
        #expect(throws: KafkaCodecError.self) { try RecordSetDecoder().decode(length) }
    }

    @Test("a few thousand seeded random mutations never crash or hang")
    func mutations() throws {
        var random = RecordsRandom(state: 2024)
        let originals = try Self.allFiles.map { try RecordsFixtures.bytes($0) }
        let decoder = RecordSetDecoder(options: .init(maxDecompressedSize: 1 << 20))
        let lax = RecordSetDecoder(options: .init(maxDecompressedSize: 1 << 20, verifyChecksums: false))
        var decoded = 0
        for round in 0..<4000 {
            var bytes = originals[round % originals.count]
            for _ in 0..<(1 + Int(random.next() % 6)) {
                let index = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[index] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[index] ^= 1 << (random.next() % 8)
                default: bytes.removeSubrange(index...)
                }
                if bytes.isEmpty { break }
            }
            // Without CRC checks the mutations reach the record and decompression code.
            if (try? lax.decode(bytes)) != nil { decoded += 1 }
            _ = try? decoder.decode(bytes)
        }
        #expect(decoded > 0)
    }
}
