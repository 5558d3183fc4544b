/// Kafka 0.8/0.9 (message format v0) wrote LZ4 frames whose header checksum byte was computed
/// over the magic number too (KAFKA-3160); Java ignores that byte for magic 0. We rewrite it
/// to the correct value and decode normally.
extension Compression {
    public static func decompressLZ4IgnoringHeaderChecksum(
        _ input: ArraySlice<UInt8>, maxOutputSize: Int = defaultMaxOutputSize
    ) throws(CompressionError) -> [UInt8] {
        var frame = Array(input)
        // magic (4), FLG, BD, [content size (8)], [dictionary id (4)], HC
        guard frame.count >= 7 else { throw .corrupt(codec: .lz4, message: "frame header truncated") }
        let flags = frame[4]
        let descriptorEnd = 6 + (flags & 0x08 != 0 ? 8 : 0) + (flags & 0x01 != 0 ? 4 : 0)
        guard frame.count > descriptorEnd else { throw .corrupt(codec: .lz4, message: "frame header truncated") }
        frame[descriptorEnd] = UInt8(truncatingIfNeeded: XXH32.hash(frame[4..<descriptorEnd]) >> 8)
        return try LZ4Frame.decompress(frame[...], maxOutputSize: maxOutputSize)
    }
}

/// xxHash32, seed 0, for LZ4 frame header checksums.
enum XXH32 {
    static let p1: UInt32 = 0x9E37_79B1, p2: UInt32 = 0x85EB_CA77, p3: UInt32 = 0xC2B2_AE3D
    static let p4: UInt32 = 0x27D4_EB2F, p5: UInt32 = 0x1656_67B1

    static func hash(_ input: ArraySlice<UInt8>) -> UInt32 {
        var index = input.startIndex
        func read32() -> UInt32 {
            defer { index += 4 }
            return UInt32(input[index]) | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2]) << 16 | UInt32(input[index + 3]) << 24
        }
        func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { x << r | x >> (32 - r) }
        var h: UInt32
        if input.count >= 16 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt32 = 0, v4 = 0 &- p1
            func round(_ v: UInt32, _ lane: UInt32) -> UInt32 { rotl(v &+ lane &* p2, 13) &* p1 }
            while input.endIndex - index >= 16 {
                v1 = round(v1, read32()); v2 = round(v2, read32()); v3 = round(v3, read32()); v4 = round(v4, read32())
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
        } else {
            h = p5
        }
        h &+= UInt32(truncatingIfNeeded: input.count)
        while input.endIndex - index >= 4 { h = rotl(h &+ read32() &* p3, 17) &* p4 }
        while index < input.endIndex {
            h = rotl(h &+ UInt32(input[index]) &* p5, 11) &* p1
            index += 1
        }
        h ^= h >> 15; h &*= p2; h ^= h >> 13; h &*= p3; h ^= h >> 16
        return h
    }
}
