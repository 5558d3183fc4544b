/// Writes Kafka's primitive types, big-endian, into a growing byte array.
public struct WireWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    // MARK: fixed-width integers

    public mutating func writeInt8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }
    public mutating func writeBool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func writeInt16(_ v: Int16) { writeUInt16(UInt16(bitPattern: v)) }

    public mutating func writeUInt16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }

    public mutating func writeUInt32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    public mutating func writeInt64(_ v: Int64) { writeUInt64(UInt64(bitPattern: v)) }

    public mutating func writeUInt64(_ v: UInt64) {
        writeUInt32(UInt32(truncatingIfNeeded: v >> 32))
        writeUInt32(UInt32(truncatingIfNeeded: v))
    }

    public mutating func writeFloat64(_ v: Double) { writeUInt64(v.bitPattern) }

    public mutating func writeUUID(_ v: KafkaUUID) {
        writeUInt64(v.high)
        writeUInt64(v.low)
    }

    /// Overwrites 4 bytes at `position` (length and CRC fields written after their contents).
    public mutating func patchUInt32(_ v: UInt32, at position: Int) {
        bytes[position] = UInt8(truncatingIfNeeded: v >> 24)
        bytes[position + 1] = UInt8(truncatingIfNeeded: v >> 16)
        bytes[position + 2] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[position + 3] = UInt8(truncatingIfNeeded: v)
    }

    // MARK: variable-length integers

    public mutating func writeUnsignedVarInt(_ v: UInt32) {
        var value = v
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func writeUnsignedVarLong(_ v: UInt64) {
        var value = v
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func writeVarInt(_ v: Int32) {
        writeUnsignedVarInt(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
    }

    public mutating func writeVarLong(_ v: Int64) {
        writeUnsignedVarLong(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    public static func unsignedVarIntSize(_ v: UInt32) -> Int {
        var value = v, size = 1
        while value >= 0x80 { value >>= 7; size += 1 }
        return size
    }

    // MARK: lengths, strings, bytes, arrays

    /// Writes a length prefix in the given form; nil writes null (-1, or 0 when compact).
    public mutating func writeLength(_ length: Int?, form: LengthForm) {
        switch form {
        case .short: writeInt16(Int16(truncatingIfNeeded: length ?? -1))
        case .long: writeInt32(Int32(truncatingIfNeeded: length ?? -1))
        case .compact: writeUnsignedVarInt(UInt32(truncatingIfNeeded: (length ?? -1) + 1))
        }
    }

    public mutating func writeString(_ s: String, compact: Bool) throws {
        let utf8 = s.utf8
        if !compact && utf8.count > Int(Int16.max) {
            throw KafkaCodecError(.lengthExceedsLimit(length: Int64(utf8.count), limit: Int64(Int16.max)), offset: count)
        }
        writeLength(utf8.count, form: compact ? .compact : .short)
        bytes.append(contentsOf: utf8)
    }

    public mutating func writeNullableString(_ s: String?, compact: Bool) throws {
        guard let s else { writeLength(nil, form: compact ? .compact : .short); return }
        try writeString(s, compact: compact)
    }

    public mutating func writeBytes(_ b: [UInt8], compact: Bool) {
        writeLength(b.count, form: compact ? .compact : .long)
        bytes.append(contentsOf: b)
    }

    public mutating func writeNullableBytes(_ b: [UInt8]?, compact: Bool) {
        guard let b else { writeLength(nil, form: compact ? .compact : .long); return }
        writeBytes(b, compact: compact)
    }

    public mutating func writeRawBytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
    }

    public mutating func writeArrayCount(_ count: Int?, compact: Bool) {
        writeLength(count, form: compact ? .compact : .long)
    }

    // MARK: tagged fields

    /// Writes a tagged-field section: the known fields (already encoded, keyed by tag) merged
    /// with the unknown ones kept from decoding, in ascending tag order as the protocol requires.
    public mutating func writeTaggedFields(known: [(tag: UInt32, data: [UInt8])], unknown: [UnknownTaggedField]) {
        var all = known
        for field in unknown { all.append((field.tag, field.data)) }
        if all.count > 1 { all.sort { $0.tag < $1.tag } }
        writeUnsignedVarInt(UInt32(all.count))
        for field in all {
            writeUnsignedVarInt(field.tag)
            writeUnsignedVarInt(UInt32(field.data.count))
            bytes.append(contentsOf: field.data)
        }
    }
}
