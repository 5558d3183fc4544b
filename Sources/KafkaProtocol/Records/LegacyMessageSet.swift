import KafkaCompression

/// A message in the legacy formats (magic 0 and 1). Messages that arrived inside a compressed
/// wrapper are expanded: `offset` is absolute and `timestamp` is the effective one.
public struct LegacyMessage: Sendable, Equatable {
    public var offset: Int64
    /// CRC32 as stored (verified when decoding).
    public var crc: UInt32
    public var magic: Int8
    public var attributes: Int8
    /// Milliseconds; -1 for magic 0, which has no timestamp.
    public var timestamp: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// The codec of the wrapper this message came out of (`.none` if it was not wrapped).
    public var wrapperCompression: CompressionCodec

    public var compression: CompressionCodec { CompressionCodec(rawValue: attributes & 0x07) ?? .none }
    /// Magic 1 only: bit 3 set means the broker's log append time.
    public var timestampType: TimestampType { magic >= 1 && attributes & 0x08 != 0 ? .logAppendTime : .createTime }
}

enum LegacyMessageSet {
    /// Smallest message after the offset and size fields: crc, magic, attributes, key and
    /// value lengths (plus the timestamp for magic 1).
    static func minimumSize(magic: Int8) -> Int { magic == 0 ? 14 : 22 }

    /// Decodes one legacy entry at the reader's position and appends its message(s); a
    /// compressed wrapper appends its expanded inner messages.
    static func decode(
        from reader: inout WireReader, into messages: inout [LegacyMessage],
        options: RecordDecodingOptions, insideWrapper: Bool = false
    ) throws {
        let offset = try reader.readInt64()
        let sizeOffset = reader.offset
        let size = try reader.readInt32()
        guard size >= 5 else { throw KafkaCodecError(.invalidLength(Int64(size)), offset: sizeOffset).within("MessageSize") }
        var body = try reader.subReader(Int(size))
        let crcOffset = body.offset
        let crc = try body.readUInt32()
        let magicOffset = body.offset
        let magic = try body.readInt8()
        guard magic == 0 || magic == 1 else { throw KafkaCodecError(.unsupportedMagic(magic), offset: magicOffset) }
        guard Int(size) >= minimumSize(magic: magic) else {
            throw KafkaCodecError(.invalidLength(Int64(size)), offset: sizeOffset).within("MessageSize")
        }
        if options.verifyChecksums {
            let computed = CRC32.checksum(body.bytes[magicOffset..<body.end])
            guard computed == crc else {
                throw KafkaCodecError(.crcMismatch(expected: crc, computed: computed), offset: crcOffset).within("CRC")
            }
        }
        let attributesOffset = body.offset
        let attributes = try body.readInt8()
        let timestamp = magic == 1 ? try body.readInt64() : -1
        let key: [UInt8]?
        do { key = try body.readNullableBytes(compact: false) } catch { throw error.within("Key") }
        let valueOffset = body.offset
        let value: [UInt8]?
        do { value = try body.readNullableBytes(compact: false) } catch { throw error.within("Value") }
        guard body.isAtEnd else {
            throw KafkaCodecError(.invalidValue("message has \(body.remaining) bytes beyond its value"), offset: body.offset)
        }
        let message = LegacyMessage(offset: offset, crc: crc, magic: magic, attributes: attributes, timestamp: timestamp,
                                    key: key, value: value, wrapperCompression: .none)
        let codecBits = Int(attributes & 0x07)
        if codecBits == 0 {
            messages.append(message)
            return
        }
        guard let codec = CompressionCodec(rawValue: Int8(codecBits)) else {
            throw KafkaCodecError(.unknownCompressionCodec(codecBits), offset: attributesOffset).within("Attributes")
        }
        guard !insideWrapper else {
            throw KafkaCodecError(.invalidValue("compressed message nested in a compressed message"), offset: attributesOffset)
        }
        guard let value else { throw KafkaCodecError(.unexpectedNull, offset: valueOffset).within("Value") }
        try expand(wrapper: message, codec: codec, compressed: value, valueOffset: valueOffset + 4,
                   into: &messages, options: options)
    }

    /// Expands a compressed wrapper. Magic 1 inner offsets are relative: the wrapper carries the
    /// last inner message's absolute offset. Magic 0 inner offsets are absolute already.
    private static func expand(
        wrapper: LegacyMessage, codec: CompressionCodec, compressed: [UInt8], valueOffset: Int,
        into messages: inout [LegacyMessage], options: RecordDecodingOptions
    ) throws {
        let decompressed: [UInt8]
        do {
            if codec == .lz4 && wrapper.magic == 0 {
                // Magic 0 LZ4 frames carry a wrong header checksum (KAFKA-3160); Java ignores it.
                decompressed = try Compression.decompressLZ4IgnoringHeaderChecksum(compressed[...], maxOutputSize: options.maxDecompressedSize)
            } else {
                decompressed = try Compression.decompress(codec, compressed, maxOutputSize: options.maxDecompressedSize)
            }
        } catch {
            throw error.asCodecError(offset: valueOffset).within("Value")
        }
        var inner: [LegacyMessage] = []
        var reader = WireReader(decompressed)
        var index = 0
        while !reader.isAtEnd {
            do {
                try decode(from: &reader, into: &inner, options: options, insideWrapper: true)
            } catch {
                throw error.within("Decompressed.Messages[\(index)]")
            }
            index += 1
        }
        let lastRelative = inner.last?.offset ?? 0
        for var message in inner {
            if wrapper.magic >= 1 {
                message.offset = wrapper.offset &- lastRelative &+ message.offset
                if wrapper.timestampType == .logAppendTime {
                    message.timestamp = wrapper.timestamp
                    message.attributes |= 0x08
                }
            }
            message.wrapperCompression = codec
            messages.append(message)
        }
    }
}
