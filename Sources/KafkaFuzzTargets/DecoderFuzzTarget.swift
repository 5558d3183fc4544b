import KafkaCompression
import KafkaProtocol

/// One fuzz input against every decoder that reads peer bytes. The first byte picks the decoder,
/// so one corpus (seeded from `Fixtures/`) covers all of them:
///
/// | first byte % 4 | what is fuzzed | rest of the input |
/// |---|---|---|
/// | 0 | `FrameDecoder` (split in chunks) + `RequestFrame.decode` of each frame | size-prefixed frames |
/// | 1 | `ResponseFrame.decode` | api key (1 byte), api version (1 byte), payload |
/// | 2 | `RecordSetDecoder` (v2 batches, legacy v0/v1 message sets, decompression) | a records field |
/// | 3 | `CompressionCodec.decompress` | codec (1 byte), compressed bytes |
///
/// Every decoder must either succeed or throw: a trap, an overflow, an out-of-bounds read or an
/// allocation beyond the limits below is a bug. Limits are small so the fuzzer spends its time
/// on structure, not on memory.
public enum DecoderFuzzTarget {
    public static let maxFrameSize = 1 << 20
    public static let maxDecompressedSize = 1 << 20

    public enum Mode: UInt8, CaseIterable, Sendable {
        case requestFrames = 0, response = 1, recordSet = 2, decompress = 3
    }

    /// Runs one input; returns how many values decoded without error (for tests and stats).
    @discardableResult
    public static func run(_ input: UnsafeRawBufferPointer) -> Int {
        guard let first = input.first else { return 0 }
        let rest = Array(input.dropFirst())
        switch Mode(rawValue: first % 4)! {
        case .requestFrames: return requestFrames(rest)
        case .response: return response(rest)
        case .recordSet: return recordSet(rest, verifyChecksums: first & 0x80 != 0)
        case .decompress: return decompress(rest)
        }
    }

    @discardableResult
    public static func run(_ input: [UInt8]) -> Int {
        input.withUnsafeBytes { run($0) }
    }

    static func requestFrames(_ bytes: [UInt8]) -> Int {
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        var decoded = 0
        // Uneven chunks exercise the partial-frame paths a socket produces.
        var start = 0
        var chunk = 1
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            decoder.append(bytes[start..<end])
            start = end
            chunk = chunk * 3 + 1
            do {
                while let payload = try decoder.next() {
                    if (try? RequestFrame.decode(payload)) != nil { decoded += 1 }
                }
            } catch {
                return decoded  // a bad size prefix ends the stream, as it closes a connection
            }
        }
        return decoded
    }

    static func response(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 2 else { return 0 }
        let apiKey = Int16(bytes[0])
        let apiVersion = Int16(bytes[1] % 32)
        let payload = Array(bytes.dropFirst(2))
        return (try? ResponseFrame.decode(payload, apiKey: apiKey, apiVersion: apiVersion)) != nil ? 1 : 0
    }

    /// Checksums are verified only when the mode byte's high bit is set: with them always on,
    /// almost every mutation would stop at the CRC and the parser behind it would go unfuzzed.
    static func recordSet(_ bytes: [UInt8], verifyChecksums: Bool) -> Int {
        let options = RecordDecodingOptions(maxDecompressedSize: maxDecompressedSize, verifyChecksums: verifyChecksums)
        guard let set = try? RecordSetDecoder(options: options).decode(bytes) else { return 0 }
        return set.batches.count
    }

    static func decompress(_ bytes: [UInt8]) -> Int {
        guard let first = bytes.first, let codec = CompressionCodec(rawValue: Int8(first % 5)) else { return 0 }
        let data = Array(bytes.dropFirst())
        return (try? codec.decompress(data, maxOutputSize: maxDecompressedSize)) != nil ? 1 : 0
    }
}
