/// Reads Kafka's primitive types from a byte buffer, big-endian, with every length checked
/// against the bytes left before anything is allocated. Never traps on peer input: every
/// failure is a `KafkaCodecError` carrying the byte offset.
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    /// Position of the next byte to read, counted from the start of `bytes`.
    public private(set) var offset: Int
    /// One past the last byte this reader may read (a sub-reader for a tagged field or a
    /// record stops at its own end).
    public let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
    }

    public init(_ bytes: [UInt8], offset: Int, end: Int) {
        precondition(offset >= 0 && offset <= end && end <= bytes.count, "reader bounds")
        self.bytes = bytes
        self.offset = offset
        self.end = end
    }

    @inlinable public var remaining: Int { end - offset }
    @inlinable public var isAtEnd: Bool { offset >= end }

    public func error(_ kind: KafkaCodecError.Kind) -> KafkaCodecError {
        KafkaCodecError(kind, offset: offset)
    }

    mutating func require(_ count: Int) throws {
        if count > end - offset {
            throw KafkaCodecError(.truncated(needed: count, available: end - offset), offset: offset)
        }
    }

    // MARK: fixed-width integers

    public mutating func readInt8() throws -> Int8 { Int8(bitPattern: try readUInt8()) }

    public mutating func readUInt8() throws -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws -> Bool { try readUInt8() != 0 }

    public mutating func readInt16() throws -> Int16 { Int16(bitPattern: try readUInt16()) }

    public mutating func readUInt16() throws -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func readInt32() throws -> Int32 { Int32(bitPattern: try readUInt32()) }

    public mutating func readUInt32() throws -> UInt32 {
        try require(4)
        defer { offset += 4 }
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[offset + i]) }
        return value
    }

    public mutating func readInt64() throws -> Int64 { Int64(bitPattern: try readUInt64()) }

    public mutating func readUInt64() throws -> UInt64 {
        try require(8)
        defer { offset += 8 }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    public mutating func readFloat64() throws -> Double { Double(bitPattern: try readUInt64()) }

    public mutating func readUUID() throws -> KafkaUUID {
        try require(16)
        let high = try readUInt64()
        return KafkaUUID(high: high, low: try readUInt64())
    }

    // MARK: variable-length integers

    /// Unsigned LEB128, at most 5 bytes (a 32-bit value).
    public mutating func readUnsignedVarInt() throws -> UInt32 {
        let start = offset
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard offset < end else {
                offset = start
                throw KafkaCodecError(.truncated(needed: 1, available: 0), offset: end)
            }
            let byte = bytes[offset]
            offset += 1
            if shift == 28 && byte & 0xF0 != 0 {
                offset = start
                throw KafkaCodecError(.malformedVarint, offset: start)
            }
            value |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Unsigned LEB128, at most 10 bytes (a 64-bit value).
    public mutating func readUnsignedVarLong() throws -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else {
                offset = start
                throw KafkaCodecError(.truncated(needed: 1, available: 0), offset: end)
            }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte & 0xFE != 0 {
                offset = start
                throw KafkaCodecError(.malformedVarint, offset: start)
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Zigzag-encoded signed varint (records use these).
    public mutating func readVarInt() throws -> Int32 {
        let raw = try readUnsignedVarInt()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Zigzag-encoded signed varlong.
    public mutating func readVarLong() throws -> Int64 {
        let raw = try readUnsignedVarLong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    // MARK: raw bytes

    /// Reads `count` bytes; `count` is checked against the bytes left before allocating.
    public mutating func readRawBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw error(.invalidLength(Int64(count))) }
        try require(count)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Moves past `count` bytes without copying them.
    public mutating func skip(_ count: Int) throws {
        guard count >= 0 else { throw error(.invalidLength(Int64(count))) }
        try require(count)
        offset += count
    }

    /// A reader over the next `count` bytes; this reader moves past them.
    public mutating func subReader(_ count: Int) throws -> WireReader {
        guard count >= 0 else { throw error(.invalidLength(Int64(count))) }
        try require(count)
        let sub = WireReader(bytes, offset: offset, end: offset + count)
        offset += count
        return sub
    }

    /// The bytes from `offset` to `end`, without moving.
    public func peekRest() -> ArraySlice<UInt8> { bytes[offset..<end] }

    // MARK: length prefixes

    /// Reads a length prefix: int16 (`.short`), int32 (`.long`) or compact unsigned varint
    /// (N+1, 0 for null). Returns nil for null, and checks the length against the bytes left.
    mutating func readLength(_ form: LengthForm, nullable: Bool) throws -> Int? {
        let start = offset
        let length: Int
        switch form {
        case .short: length = Int(try readInt16())
        case .long: length = Int(try readInt32())
        case .compact: length = Int(try readUnsignedVarInt()) - 1
        }
        if length == -1 {
            guard nullable else {
                offset = start
                throw KafkaCodecError(.unexpectedNull, offset: start)
            }
            return nil
        }
        guard length >= 0 else {
            offset = start
            throw KafkaCodecError(.invalidLength(Int64(length)), offset: start)
        }
        guard length <= remaining else {
            let available = remaining
            offset = start
            throw KafkaCodecError(.truncated(needed: length, available: available), offset: start)
        }
        return length
    }

    // MARK: strings and bytes

    public mutating func readString(compact: Bool) throws -> String {
        guard let s = try readStringBody(form: compact ? .compact : .short, nullable: false) else {
            throw error(.unexpectedNull)
        }
        return s
    }

    public mutating func readNullableString(compact: Bool) throws -> String? {
        try readStringBody(form: compact ? .compact : .short, nullable: true)
    }

    mutating func readStringBody(form: LengthForm, nullable: Bool) throws -> String? {
        let start = offset
        guard let length = try readLength(form, nullable: nullable) else { return nil }
        guard let s = String(validating: bytes[offset..<(offset + length)], as: UTF8.self) else {
            offset = start
            throw KafkaCodecError(.invalidUTF8, offset: start)
        }
        offset += length
        return s
    }

    public mutating func readBytes(compact: Bool) throws -> [UInt8] {
        guard let b = try readNullableBytesBody(form: compact ? .compact : .long, nullable: false) else {
            throw error(.unexpectedNull)
        }
        return b
    }

    public mutating func readNullableBytes(compact: Bool) throws -> [UInt8]? {
        try readNullableBytesBody(form: compact ? .compact : .long, nullable: true)
    }

    mutating func readNullableBytesBody(form: LengthForm, nullable: Bool) throws -> [UInt8]? {
        guard let length = try readLength(form, nullable: nullable) else { return nil }
        return try readRawBytes(length)
    }

    /// Reads an array's element count (int32, or compact N+1). Nil means a null array. The
    /// count is checked against the bytes left (every element takes at least one byte), so a
    /// hostile count cannot make the caller reserve memory.
    public mutating func readArrayCount(compact: Bool, nullable: Bool) throws -> Int? {
        try readLength(compact ? .compact : .long, nullable: nullable)
    }

    // MARK: tagged fields

    /// Reads a tagged-field section, handing each field to `known` with a reader bounded to
    /// the field's bytes. `known` returns false for tags it does not know; those are kept.
    public mutating func readTaggedFields(
        _ known: (UInt32, inout WireReader) throws -> Bool
    ) throws -> [UnknownTaggedField] {
        let count = try readUnsignedVarInt()
        guard Int(count) <= remaining else {
            throw error(.truncated(needed: Int(count), available: remaining))
        }
        var unknown: [UnknownTaggedField] = []
        var previousTag: Int64 = -1
        for _ in 0..<count {
            let tagOffset = offset
            let tag = try readUnsignedVarInt()
            guard Int64(tag) > previousTag else {
                throw KafkaCodecError(.invalidValue("tagged field \(tag) out of order"), offset: tagOffset)
            }
            previousTag = Int64(tag)
            let size = Int(try readUnsignedVarInt())
            var field = try subReader(size)
            if try known(tag, &field) {
                guard field.isAtEnd else {
                    throw KafkaCodecError(
                        .invalidValue("tagged field \(tag) has \(field.remaining) bytes left over"),
                        offset: field.offset)
                }
            } else {
                unknown.append(UnknownTaggedField(tag: tag, data: Array(field.peekRest())))
            }
        }
        return unknown
    }
}

public enum LengthForm: Sendable {
    /// int16 length (classic strings).
    case short
    /// int32 length (classic bytes and arrays).
    case long
    /// unsigned varint N+1 (flexible versions).
    case compact
}
