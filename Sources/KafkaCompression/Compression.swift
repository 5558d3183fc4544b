/// Entry points: compress and decompress Kafka payloads with any codec.
public enum Compression {
    /// Default cap on decompressed output (per batch or wrapper message).
    public static let defaultMaxOutputSize = 64 * 1024 * 1024

    public static func compress(_ codec: CompressionCodec, _ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        switch codec {
        case .none: input
        case .gzip: try Gzip.compress(input)
        case .snappy: try Snappy.compressXerial(input)
        case .lz4: try LZ4Frame.compress(input)
        case .zstd: try Zstd.compress(input)
        }
    }

    public static func decompress(
        _ codec: CompressionCodec, _ input: [UInt8], maxOutputSize: Int = defaultMaxOutputSize
    ) throws(CompressionError) -> [UInt8] {
        try decompress(codec, input[...], maxOutputSize: maxOutputSize)
    }

    /// Slice form, so record batch decoding need not copy the compressed bytes first.
    public static func decompress(
        _ codec: CompressionCodec, _ input: ArraySlice<UInt8>, maxOutputSize: Int = defaultMaxOutputSize
    ) throws(CompressionError) -> [UInt8] {
        switch codec {
        case .none:
            guard input.count <= maxOutputSize else { throw .outputLimitExceeded(codec: .none, limit: maxOutputSize) }
            return Array(input)
        case .gzip: return try Gzip.decompress(input, maxOutputSize: maxOutputSize)
        case .snappy: return try Snappy.decompress(input, maxOutputSize: maxOutputSize)
        case .lz4: return try LZ4Frame.decompress(input, maxOutputSize: maxOutputSize)
        case .zstd: return try Zstd.decompress(input, maxOutputSize: maxOutputSize)
        }
    }

    /// Codec number form, for callers holding raw attribute bits.
    public static func decompress(
        codecNumber: Int, _ input: ArraySlice<UInt8>, maxOutputSize: Int = defaultMaxOutputSize
    ) throws(CompressionError) -> [UInt8] {
        try decompress(try CompressionCodec.fromAttributeBits(codecNumber), input, maxOutputSize: maxOutputSize)
    }
}
