/// What went wrong compressing or decompressing. Corrupt input carries the library's own message.
public enum CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The compressed input is malformed or truncated.
    case corrupt(codec: CompressionCodec, message: String)
    /// Decompressing would produce more than `limit` bytes (a decompression bomb, or a limit set too low).
    case outputLimitExceeded(codec: CompressionCodec, limit: Int)
    /// A codec number Kafka does not define.
    case unknownCodec(Int)
    /// The library failed while compressing (out of memory and the like).
    case compressionFailed(codec: CompressionCodec, message: String)

    public var description: String {
        switch self {
        case let .corrupt(codec, message): "corrupt \(codec.name) input: \(message)"
        case let .outputLimitExceeded(codec, limit): "\(codec.name) output exceeds the limit of \(limit) bytes"
        case let .unknownCodec(codec): "unknown compression codec \(codec)"
        case let .compressionFailed(codec, message): "\(codec.name) compression failed: \(message)"
        }
    }
}
