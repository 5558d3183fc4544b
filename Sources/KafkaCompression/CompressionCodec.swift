/// Kafka's compression codecs, numbered as in the record batch attributes (bits 0-2).
public enum CompressionCodec: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The name Kafka's configuration uses (`compression.type`).
    public var name: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    public var description: String { name }

    /// The codec for an attributes value; throws `.unknownCodec` for 5...7.
    public static func fromAttributeBits(_ bits: Int) throws(CompressionError) -> CompressionCodec {
        guard let codec = CompressionCodec(rawValue: Int8(truncatingIfNeeded: bits)), Int(codec.rawValue) == bits else {
            throw .unknownCodec(bits)
        }
        return codec
    }

    public func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        try Compression.compress(self, input)
    }

    public func decompress(_ input: [UInt8], maxOutputSize: Int = Compression.defaultMaxOutputSize) throws(CompressionError) -> [UInt8] {
        try Compression.decompress(self, input[...], maxOutputSize: maxOutputSize)
    }
}
