/// One record inside a v2 batch. Offsets and timestamps are deltas from the batch's base values.
public struct Record: Sendable, Equatable {
    /// Unused by Kafka so far; kept so a decode/encode round trip is exact.
    public var attributes: Int8
    public var timestampDelta: Int64
    public var offsetDelta: Int32
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]

    public init(
        attributes: Int8 = 0, timestampDelta: Int64 = 0, offsetDelta: Int32,
        key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []
    ) {
        self.attributes = attributes
        self.timestampDelta = timestampDelta
        self.offsetDelta = offsetDelta
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The absolute offset given the batch's base offset.
    @inlinable public func offset(baseOffset: Int64) -> Int64 { baseOffset &+ Int64(offsetDelta) }

    /// The absolute create timestamp given the batch's base timestamp. For log-append-time
    /// batches use `RecordBatch.timestamp(of:)`, which answers the batch's max timestamp.
    @inlinable public func timestamp(baseTimestamp: Int64) -> Int64 { baseTimestamp &+ timestampDelta }
}

/// A record header: a UTF-8 key and nullable bytes.
public struct RecordHeader: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

extension Record {
    /// Decodes one record: varint length, then the body, which must use exactly that length.
    static func decode(from reader: inout WireReader) throws -> Record {
        let lengthOffset = reader.offset
        let length = try reader.readVarInt()
        guard length >= 0 else { throw KafkaCodecError(.invalidLength(Int64(length)), offset: lengthOffset) }
        var body = try reader.subReader(Int(length))
        let attributes = try body.readInt8()
        let timestampDelta = try body.readVarLong()
        let offsetDelta = try body.readVarInt()
        let key: [UInt8]?
        do { key = try readVarBytes(&body) } catch { throw error.within("Key") }
        let value: [UInt8]?
        do { value = try readVarBytes(&body) } catch { throw error.within("Value") }
        let headerCountOffset = body.offset
        let headerCount = try body.readVarInt()
        // Each header takes at least 2 bytes, so a count beyond that cannot be honest.
        guard headerCount >= 0, Int(headerCount) <= body.remaining / 2 else {
            throw KafkaCodecError(.invalidLength(Int64(headerCount)), offset: headerCountOffset).within("Headers")
        }
        var headers: [RecordHeader] = []
        if headerCount > 0 {
            headers.reserveCapacity(Int(headerCount))
            for index in 0..<Int(headerCount) {
                do {
                    let keyOffset = body.offset
                    guard let keyBytes = try readVarBytes(&body) else {
                        throw KafkaCodecError(.unexpectedNull, offset: keyOffset).within("Key")
                    }
                    guard let key = utf8String(keyBytes) else {
                        throw KafkaCodecError(.invalidUTF8, offset: keyOffset).within("Key")
                    }
                    headers.append(RecordHeader(key: key, value: try readVarBytes(&body)))
                } catch {
                    throw error.within("Headers[\(index)]")
                }
            }
        }
        guard body.isAtEnd else {
            throw KafkaCodecError(.invalidValue("record has \(body.remaining) bytes beyond its fields"), offset: body.offset)
        }
        return Record(attributes: attributes, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
                      key: key, value: value, headers: headers)
    }

    /// Varint-length bytes; -1 is null.
    static func readVarBytes(_ reader: inout WireReader) throws -> [UInt8]? {
        let start = reader.offset
        let length = try reader.readVarInt()
        if length == -1 { return nil }
        guard length >= 0 else { throw KafkaCodecError(.invalidLength(Int64(length)), offset: start) }
        return try reader.readRawBytes(Int(length))
    }

    /// Header keys are nearly always ASCII: take the fast path then, validate otherwise.
    static func utf8String(_ bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}
