import KafkaCompression

/// Which clock a batch's timestamps come from (attributes bit 3).
public enum TimestampType: Sendable, Equatable {
    /// Set by the producer.
    case createTime
    /// Overwritten by the broker when it appended the batch.
    case logAppendTime
}

/// The v2 batch attributes word: bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control,
/// 6 delete horizon set (the base timestamp then holds the delete horizon). The raw value is kept
/// so unknown bits survive a decode/encode round trip.
public struct RecordBatchAttributes: Sendable, Equatable {
    public var rawValue: Int16

    public init(rawValue: Int16) { self.rawValue = rawValue }

    public init(
        compression: CompressionCodec = .none, timestampType: TimestampType = .createTime,
        isTransactional: Bool = false, isControl: Bool = false, hasDeleteHorizon: Bool = false
    ) {
        rawValue = Int16(compression.rawValue)
        if timestampType == .logAppendTime { rawValue |= 0x08 }
        if isTransactional { rawValue |= 0x10 }
        if isControl { rawValue |= 0x20 }
        if hasDeleteHorizon { rawValue |= 0x40 }
    }

    /// The codec bits as a number (5...7 are not codecs; decoding rejects them).
    public var compressionBits: Int { Int(rawValue & 0x07) }

    /// The codec; `.none` if the bits are not a known codec (decoding never lets that through).
    public var compression: CompressionCodec {
        get { CompressionCodec(rawValue: Int8(rawValue & 0x07)) ?? .none }
        set { rawValue = (rawValue & ~0x07) | Int16(newValue.rawValue) }
    }

    public var timestampType: TimestampType { rawValue & 0x08 != 0 ? .logAppendTime : .createTime }
    public var isTransactional: Bool { rawValue & 0x10 != 0 }
    public var isControl: Bool { rawValue & 0x20 != 0 }
    public var hasDeleteHorizon: Bool { rawValue & 0x40 != 0 }
}
