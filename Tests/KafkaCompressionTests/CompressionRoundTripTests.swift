import Foundation
import KafkaCompression
import Testing

@Suite("Round trips, peer decompression, bombs, corrupt input")
struct CompressionRoundTripTests {
    static let codecs: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]
    static let sizes = [0, 1, 100, 32 * 1024, 32 * 1024 + 1, 200_000]

    @Test("codec numbers and names")
    func names() throws {
        #expect(CompressionCodec.allCases.map(\.name) == ["none", "gzip", "snappy", "lz4", "zstd"])
        #expect(CompressionCodec.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
        #expect(throws: CompressionError.unknownCodec(5)) { try CompressionCodec.fromAttributeBits(5) }
        #expect(throws: CompressionError.unknownCodec(7)) { try Compression.decompress(codecNumber: 7, [1, 2][...]) }
    }

    @Test("our output decompresses back", arguments: CompressionCodec.allCases, sizes)
    func roundTrip(_ codec: CompressionCodec, _ size: Int) throws {
        var random = SeededBytes(seed: UInt64(size) &+ UInt64(codec.rawValue))
        for input in [random.text(size), random.bytes(size)] {
            let compressed = try codec.compress(input)
            #expect(try codec.decompress(compressed, maxOutputSize: max(size, 1)) == input)
        }
    }

    @Test("kafka-python's codecs decompress our output", arguments: codecs)
    func peerDecompresses(_ codec: CompressionCodec) throws {
        var random = SeededBytes(seed: 42)
        let input = random.text(150_000) + random.bytes(5000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-codec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ours.\(codec.name)")
        try Data(try codec.compress(input)).write(to: file)
        let script = """
        import sys
        from kafka import codec
        data = open(sys.argv[2], 'rb').read()
        name = sys.argv[1]
        for need, ok in (('snappy', codec.has_snappy()), ('lz4', codec.has_lz4()), ('zstd', codec.has_zstd())):
            if name == need and not ok:
                sys.exit('kafka-python lacks the %s codec package' % name)
        out = {'gzip': codec.gzip_decode, 'snappy': codec.snappy_decode, 'lz4': codec.lz4_decode,
               'zstd': codec.zstd_decode}[name](data)
        sys.stdout.buffer.write(out)
        """
        let output = try runPython(script, [codec.name, file.path])
        #expect([UInt8](output) == input)
    }

    @Test("a 100 MB bomb stops at a 1 MB limit", arguments: codecs)
    func bomb(_ codec: CompressionCodec) throws {
        let zeros = [UInt8](repeating: 0, count: 100 * 1024 * 1024)
        let bomb = try codec.compress(zeros)
        #expect(bomb.count < 5 * 1024 * 1024)
        #expect(throws: CompressionError.outputLimitExceeded(codec: codec, limit: 1 << 20)) {
            try Compression.decompress(codec, bomb, maxOutputSize: 1 << 20)
        }
    }

    @Test("raw snappy claiming a huge length is rejected before allocating")
    func snappyLyingLength() throws {
        // Varint preamble 0xFFFFFFFF0F (4 GiB) followed by a tiny literal.
        let lie: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x41]
        #expect(throws: CompressionError.outputLimitExceeded(codec: .snappy, limit: 1 << 20)) {
            try Compression.decompress(.snappy, lie, maxOutputSize: 1 << 20)
        }
        let smallLie: [UInt8] = [0x80, 0x80, 0x04, 0x00, 0x41]  // claims 64 KiB from 5 bytes
        #expect(throws: CompressionError.self) { try Compression.decompress(.snappy, smallLie, maxOutputSize: 1 << 20) }
    }

    @Test("garbage and mutations never crash or hang", arguments: codecs)
    func mutations(_ codec: CompressionCodec) throws {
        var random = SeededBytes(seed: 7 &+ UInt64(codec.rawValue))
        let original = try codec.compress(random.text(20_000))
        for _ in 0..<1500 {
            var mutated = original
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(mutated.count))
                mutated[index] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = try? Compression.decompress(codec, mutated, maxOutputSize: 1 << 20)
        }
        for length in 0..<64 {
            _ = try? Compression.decompress(codec, random.bytes(length), maxOutputSize: 1 << 20)
        }
    }
}
