import Foundation
import KafkaCompression
import Testing

/// Bytes written by kafka-python's real codecs (scripts/fixtures/make_codec_vectors.py).
@Suite("Decompress peer-written payloads")
struct CompressionFixtureTests {
    struct Manifest: Decodable {
        struct Payload: Decodable {
            var codec: String
            var payload: String
            var payloadSize: Int
        }
        var payloads: [String: Payload]
    }

    static let files = [
        "text.gzip", "text.gzip-concat", "text.zlib", "text.snappy-xerial", "text.snappy-raw",
        "text.lz4", "text.lz4-checksums-nosize", "text.zstd", "text.zstd-nosize",
    ]

    static func entry(_ name: String) throws -> (CompressionCodec, Manifest.Payload) {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(try readFixture("manifest.json")))
        let entry = try #require(manifest.payloads[name])
        let codec = try #require(CompressionCodec.allCases.first { $0.name == entry.codec })
        return (codec, entry)
    }

    @Test("manifest lists every payload fixture")
    func manifestListsAll() throws {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(try readFixture("manifest.json")))
        #expect(Set(manifest.payloads.keys) == Set(Self.files))
    }

    @Test("fixture decompresses to the known payload", arguments: files)
    func decompressesToPayload(_ name: String) throws {
        let (codec, entry) = try Self.entry(name)
        let payload = try readFixture(entry.payload)
        #expect(payload.count == entry.payloadSize)
        let output = try Compression.decompress(codec, try readFixture(name), maxOutputSize: 1 << 20)
        #expect(output == payload)
    }

    @Test("a limit just below the payload size is enforced", arguments: files)
    func limitBelowPayload(_ name: String) throws {
        let (codec, entry) = try Self.entry(name)
        #expect(throws: CompressionError.outputLimitExceeded(codec: codec, limit: entry.payloadSize - 1)) {
            try Compression.decompress(codec, try readFixture(name), maxOutputSize: entry.payloadSize - 1)
        }
        // Exactly the payload size is allowed.
        #expect(try Compression.decompress(codec, try readFixture(name), maxOutputSize: entry.payloadSize).count == entry.payloadSize)
    }

    @Test("every strict prefix of a fixture throws and never crashes", arguments: files)
    func prefixesThrow(_ name: String) throws {
        let (codec, entry) = try Self.entry(name)
        let bytes = try readFixture(name)
        let payload = try readFixture(entry.payload)
        // Xerial blocks and gzip members carry no end marker: a prefix cut exactly at a block or
        // member boundary is itself a valid, shorter stream. Anything else must fail.
        let boundaryFormats: Set<String> = ["text.snappy-xerial", "text.gzip-concat"]
        // All short prefixes, then a stride through the rest (each prefix decompresses up to 100 KiB).
        let cuts = Array(0..<min(bytes.count, 300)) + Array(stride(from: 300, to: bytes.count, by: 97)) + [bytes.count - 1]
        for cut in cuts {
            do {
                let output = try Compression.decompress(codec, Array(bytes[..<cut]), maxOutputSize: 1 << 20)
                let atBoundary = boundaryFormats.contains(name) && output.count < payload.count
                    && payload.starts(with: output)
                #expect(atBoundary, "prefix \(cut) of \(name) decoded without error (\(output.count) bytes)")
            } catch {
                if case .corrupt = error {} else { Issue.record("prefix \(cut): unexpected \(error)") }
            }
        }
    }

    @Test("xerial framing matches Kafka's: header, version 1/1, 32 KiB blocks")
    func xerialFraming() throws {
        let payload = try readFixture("text.txt")
        let ours = try Compression.compress(.snappy, payload)
        #expect(Array(ours.prefix(16)) == [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
        // Same block boundaries and framing as kafka-python: byte-identical output.
        #expect(ours == (try readFixture("text.snappy-xerial")))
    }
}
