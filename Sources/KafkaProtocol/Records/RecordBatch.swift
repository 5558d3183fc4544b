import KafkaCompression

/// A v2 record batch (magic 2) with every header field as on the wire.
public struct RecordBatch: Sendable, Equatable {
    /// Bytes from the start of the batch to the end of the length field.
    public static let logOverhead = 12
    /// Header bytes after the length field (partition leader epoch through record count).
    public static let headerSizeAfterLength = 49
    /// Full header size, up to and including the record count.
    public static let headerSize = logOverhead + headerSizeAfterLength
    /// Position of the attributes field; the CRC covers from here to the end.
    static let attributesOffset = 21

    public var baseOffset: Int64
    /// Bytes after this field to the end of the batch (as read; the encoder computes its own).
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    /// CRC32C as read (the encoder computes its own).
    public var crc: UInt32
    public var attributes: RecordBatchAttributes
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var records: [Record]

    public init(
        baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = -1, attributes: RecordBatchAttributes = .init(),
        lastOffsetDelta: Int32? = nil, baseTimestamp: Int64, maxTimestamp: Int64? = nil,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
        records: [Record], batchLength: Int32 = 0, crc: UInt32 = 0
    ) {
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = 2
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta ?? records.last?.offsetDelta ?? 0
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
            ?? (records.map { baseTimestamp &+ $0.timestampDelta }.max() ?? baseTimestamp)
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }

    public var compression: CompressionCodec { attributes.compression }
    public var timestampType: TimestampType { attributes.timestampType }
    public var isTransactional: Bool { attributes.isTransactional }
    public var isControl: Bool { attributes.isControl }
    public var hasDeleteHorizon: Bool { attributes.hasDeleteHorizon }
    /// With the delete-horizon bit the base timestamp carries the horizon (KIP-534).
    public var deleteHorizonMs: Int64? { hasDeleteHorizon ? baseTimestamp : nil }
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }
    public var nextOffset: Int64 { lastOffset &+ 1 }

    public func offset(of record: Record) -> Int64 { record.offset(baseOffset: baseOffset) }

    /// The record's timestamp: with log-append time the broker's time (max timestamp) applies to all.
    public func timestamp(of record: Record) -> Int64 {
        timestampType == .logAppendTime ? maxTimestamp : record.timestamp(baseTimestamp: baseTimestamp)
    }

    /// Decodes the control records of a control batch.
    public func controlRecords() throws -> [ControlRecord] {
        try records.enumerated().map { index, record in
            do { return try ControlRecord(record) } catch { throw error.within("Records[\(index)]") }
        }
    }
}

/// Limits and checks for decoding batches.
public struct RecordDecodingOptions: Sendable {
    /// Cap on the decompressed size of one batch or legacy wrapper message.
    public var maxDecompressedSize: Int
    /// Verify CRC32C (v2) and CRC32 (legacy). On by default; off only for trusted bytes.
    public var verifyChecksums: Bool

    public init(maxDecompressedSize: Int = Compression.defaultMaxOutputSize, verifyChecksums: Bool = true) {
        self.maxDecompressedSize = maxDecompressedSize
        self.verifyChecksums = verifyChecksums
    }

    public static let `default` = RecordDecodingOptions()
}

extension RecordBatch {
    /// Decodes one whole batch from `bytes`; trailing bytes are an error.
    public static func decode(_ bytes: [UInt8], options: RecordDecodingOptions = .default) throws -> RecordBatch {
        var reader = WireReader(bytes)
        let batch = try decode(from: &reader, options: options)
        guard reader.isAtEnd else {
            throw KafkaCodecError(.invalidValue("\(reader.remaining) bytes after the batch"), offset: reader.offset)
        }
        return batch
    }

    /// Decodes one batch at the reader's position; the reader moves past it. A batch cut short
    /// throws `.truncated` (the record set decoder turns that into a reported tail).
    public static func decode(from reader: inout WireReader, options: RecordDecodingOptions = .default) throws -> RecordBatch {
        let baseOffset = try reader.readInt64()
        let lengthOffset = reader.offset
        let batchLength = try reader.readInt32()
        guard batchLength >= Int32(headerSizeAfterLength) else {
            throw KafkaCodecError(.invalidLength(Int64(batchLength)), offset: lengthOffset).within("BatchLength")
        }
        var body = try reader.subReader(Int(batchLength))
        let partitionLeaderEpoch = try body.readInt32()
        let magicOffset = body.offset
        let magic = try body.readInt8()
        guard magic == 2 else { throw KafkaCodecError(.unsupportedMagic(magic), offset: magicOffset) }
        let crcOffset = body.offset
        let crc = try body.readUInt32()
        if options.verifyChecksums {
            let computed = CRC32C.checksum(body.bytes[body.offset..<body.end])
            guard computed == crc else {
                throw KafkaCodecError(.crcMismatch(expected: crc, computed: computed), offset: crcOffset).within("CRC")
            }
        }
        let attributesOffset = body.offset
        let attributes = RecordBatchAttributes(rawValue: try body.readInt16())
        let codec: CompressionCodec
        do {
            codec = try CompressionCodec.fromAttributeBits(attributes.compressionBits)
        } catch {
            throw KafkaCodecError(.unknownCompressionCodec(attributes.compressionBits), offset: attributesOffset).within("Attributes")
        }
        let lastOffsetDelta = try body.readInt32()
        let baseTimestamp = try body.readInt64()
        let maxTimestamp = try body.readInt64()
        let producerId = try body.readInt64()
        let producerEpoch = try body.readInt16()
        let baseSequence = try body.readInt32()
        let countOffset = body.offset
        let count = try body.readInt32()
        guard count >= 0 else { throw KafkaCodecError(.invalidLength(Int64(count)), offset: countOffset).within("RecordCount") }

        let records: [Record]
        if codec == .none || (count == 0 && body.isAtEnd) {
            // An empty compressed batch may carry no compressed stream at all.
            records = try decodeRecords(&body, count: Int(count), countOffset: countOffset)
        } else {
            let payloadOffset = body.offset
            let decompressed: [UInt8]
            do {
                decompressed = try Compression.decompress(codec, body.peekRest(), maxOutputSize: options.maxDecompressedSize)
            } catch {
                throw error.asCodecError(offset: payloadOffset).within("Records")
            }
            var inner = WireReader(decompressed)
            do {
                records = try decodeRecords(&inner, count: Int(count), countOffset: 0)
            } catch {
                // Offsets inside count from the start of the decompressed records.
                throw error.within("Decompressed")
            }
        }
        return RecordBatch(
            baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch, attributes: attributes,
            lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
            records: records, batchLength: batchLength, crc: crc)
    }

    /// Reads exactly `count` records that must fill the reader to its end.
    private static func decodeRecords(_ reader: inout WireReader, count: Int, countOffset: Int) throws -> [Record] {
        // A record takes at least 7 bytes; a larger count than the bytes allow is a lie.
        guard count <= reader.remaining / 7 else {
            throw KafkaCodecError(.invalidLength(Int64(count)), offset: countOffset).within("RecordCount")
        }
        var records: [Record] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            do { records.append(try Record.decode(from: &reader)) } catch { throw error.within("Records[\(index)]") }
        }
        guard reader.isAtEnd else {
            throw KafkaCodecError(.invalidValue("\(reader.remaining) bytes after \(count) records"), offset: reader.offset)
                .within("Records")
        }
        return records
    }
}

extension CompressionError {
    /// The codec error for a compression failure. A bomb maps to `.lengthExceedsLimit` with
    /// `length` = limit + 1 (the true size is unknown: decompression stopped there).
    func codecError(offset: Int) -> KafkaCodecError {
        switch self {
        case let .outputLimitExceeded(_, limit):
            return KafkaCodecError(.lengthExceedsLimit(length: Int64(limit) + 1, limit: Int64(limit)), offset: offset)
        case let .unknownCodec(codec):
            return KafkaCodecError(.unknownCompressionCodec(codec), offset: offset)
        case .corrupt, .compressionFailed:
            return KafkaCodecError(.compression(description), offset: offset)
        }
    }
}

extension Error {
    func asCodecError(offset: Int) -> any Error {
        if let compression = self as? CompressionError { return compression.codecError(offset: offset) }
        return self
    }
}
