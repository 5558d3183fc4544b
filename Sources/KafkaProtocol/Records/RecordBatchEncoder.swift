import KafkaCompression

/// Writes v2 record batches: records, optional compression, batch length and CRC32C.
/// One output buffer, sized up front; compressed batches use one extra buffer for the records.
public enum RecordBatchEncoder {
    /// Encodes `batch` with the codec in its attributes. `batchLength` and `crc` are computed;
    /// every other header field is written as given.
    public static func encode(_ batch: RecordBatch) throws -> [UInt8] {
        var writer = WireWriter(capacity: RecordBatch.headerSize + recordsSize(batch.records))
        try encode(batch, into: &writer)
        return writer.bytes
    }

    /// Appends the encoded batch to `writer` (to build a records field of several batches).
    public static func encode(_ batch: RecordBatch, into writer: inout WireWriter) throws {
        let start = writer.count
        writer.writeInt64(batch.baseOffset)
        writer.writeInt32(0)  // batch length, patched below
        writer.writeInt32(batch.partitionLeaderEpoch)
        writer.writeInt8(2)
        writer.writeUInt32(0)  // CRC, patched below
        writer.writeInt16(batch.attributes.rawValue)
        writer.writeInt32(batch.lastOffsetDelta)
        writer.writeInt64(batch.baseTimestamp)
        writer.writeInt64(batch.maxTimestamp)
        writer.writeInt64(batch.producerId)
        writer.writeInt16(batch.producerEpoch)
        writer.writeInt32(batch.baseSequence)
        guard batch.records.count <= Int(Int32.max) else {
            throw KafkaCodecError(.lengthExceedsLimit(length: Int64(batch.records.count), limit: Int64(Int32.max)), offset: writer.count)
        }
        writer.writeInt32(Int32(batch.records.count))
        guard let codec = CompressionCodec(rawValue: Int8(batch.attributes.compressionBits)) else {
            throw KafkaCodecError(.unknownCompressionCodec(batch.attributes.compressionBits), offset: start + RecordBatch.attributesOffset)
        }
        if codec == .none {
            for record in batch.records { try writeRecord(record, into: &writer) }
        } else {
            var plain = WireWriter(capacity: recordsSize(batch.records))
            for record in batch.records { try writeRecord(record, into: &plain) }
            do {
                writer.writeRawBytes(try Compression.compress(codec, plain.bytes))
            } catch {
                throw error.asCodecError(offset: writer.count)
            }
        }
        let length = writer.count - start - RecordBatch.logOverhead
        guard length <= Int(Int32.max) else {
            throw KafkaCodecError(.lengthExceedsLimit(length: Int64(length), limit: Int64(Int32.max)), offset: start)
        }
        writer.patchUInt32(UInt32(length), at: start + 8)
        let crc = writer.bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + RecordBatch.attributesOffset)...]))
        }
        writer.patchUInt32(crc, at: start + 17)
    }

    /// Writes one record: varint length, then the body.
    static func writeRecord(_ record: Record, into writer: inout WireWriter) throws {
        let bodySize = try recordBodySize(record)
        writer.writeVarInt(Int32(bodySize))
        writer.writeInt8(record.attributes)
        writer.writeVarLong(record.timestampDelta)
        writer.writeVarInt(record.offsetDelta)
        writeVarBytes(record.key, into: &writer)
        writeVarBytes(record.value, into: &writer)
        writer.writeVarInt(Int32(record.headers.count))
        for header in record.headers {
            writer.writeVarInt(Int32(header.key.utf8.count))
            writer.writeRawBytes(header.key.utf8)
            writeVarBytes(header.value, into: &writer)
        }
    }

    private static func writeVarBytes(_ bytes: [UInt8]?, into writer: inout WireWriter) {
        guard let bytes else { writer.writeVarInt(-1); return }
        writer.writeVarInt(Int32(bytes.count))
        writer.writeRawBytes(bytes)
    }

    /// Size of a record's body (everything after its length varint). Throws if any part is
    /// beyond what a varint length can carry.
    static func recordBodySize(_ record: Record) throws -> Int {
        var size = 1 + varLongSize(record.timestampDelta) + varLongSize(Int64(record.offsetDelta))
        size += try varBytesSize(record.key?.count) + varBytesSize(record.value?.count)
        size += varLongSize(Int64(record.headers.count))
        for header in record.headers {
            size += try varBytesSize(header.key.utf8.count) + varBytesSize(header.value?.count)
        }
        guard size <= Int(Int32.max) else {
            throw KafkaCodecError(.lengthExceedsLimit(length: Int64(size), limit: Int64(Int32.max)), offset: 0)
        }
        return size
    }

    /// Estimated encoded size of the records, for reserving capacity.
    static func recordsSize(_ records: [Record]) -> Int {
        var total = 0
        for record in records {
            let body = (try? recordBodySize(record)) ?? 0
            total += body + varLongSize(Int64(body))
        }
        return total
    }

    private static func varBytesSize(_ count: Int?) throws -> Int {
        guard let count else { return 1 }
        guard count <= Int(Int32.max) else {
            throw KafkaCodecError(.lengthExceedsLimit(length: Int64(count), limit: Int64(Int32.max)), offset: 0)
        }
        return varLongSize(Int64(count)) + count
    }

    /// Bytes of a zigzag varint/varlong of `value`.
    static func varLongSize(_ value: Int64) -> Int {
        let zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        return max(1, (64 - zigzag.leadingZeroBitCount + 6) / 7)
    }
}

extension RecordBatch {
    /// This batch encoded (see `RecordBatchEncoder.encode`).
    public func encoded() throws -> [UInt8] { try RecordBatchEncoder.encode(self) }
}
