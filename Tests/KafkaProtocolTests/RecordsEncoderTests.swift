import KafkaCompression
import KafkaProtocol
import Testing

@Suite("Record batch encoder")
struct RecordsEncoderTests {
    /// Zigzag varint/varlong encodings as Kafka (and protobuf) define them.
    static let edges: [(Int64, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64(Int32.min), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test("varint and varlong edge values through the record encoder", arguments: 0..<7)
    func varintEdges(_ index: Int) throws {
        let (value, varlongBytes) = Self.edges[index]
        // timestampDelta is a varlong; offsetDelta a varint (only for values that fit in Int32).
        let offsetDelta = Int32(exactly: value) ?? 0
        let varintBytes = Int32(exactly: value) != nil ? varlongBytes : [0x00]
        let record = Record(timestampDelta: value, offsetDelta: offsetDelta, key: nil, value: nil)
        let batch = RecordBatch(baseTimestamp: 0, maxTimestamp: 0, records: [record])
        let encoded = try batch.encoded()
        let body: [UInt8] = [0x00] + varlongBytes + varintBytes + [0x01, 0x01, 0x00]
        #expect(Array(encoded[RecordBatch.headerSize...]) == [UInt8(body.count * 2)] + body)
        let decoded = try RecordBatch.decode(encoded)
        #expect(decoded.records == [record])
    }

    @Test("header fields, length and CRC")
    func headerFields() throws {
        let batch = RecordBatch(
            baseOffset: 0x0102_0304_0506_0708, partitionLeaderEpoch: 7,
            attributes: .init(compression: .none, timestampType: .logAppendTime, isTransactional: true),
            lastOffsetDelta: 0, baseTimestamp: 1000, maxTimestamp: 2000, producerId: 55, producerEpoch: 3,
            baseSequence: 12, records: [Record(offsetDelta: 0, key: Array("k".utf8), value: Array("v".utf8),
                                               headers: [RecordHeader(key: "x", value: [9])])])
        let encoded = try batch.encoded()
        #expect(Array(encoded[0..<8]) == [1, 2, 3, 4, 5, 6, 7, 8])
        let length = Int(encoded[8]) << 24 | Int(encoded[9]) << 16 | Int(encoded[10]) << 8 | Int(encoded[11])
        #expect(length == encoded.count - 12)
        #expect(encoded[16] == 2)
        let decoded = try RecordBatch.decode(encoded)
        #expect(decoded.crc == CRC32C.checksum(encoded[21...]))
        #expect(decoded.timestampType == .logAppendTime)
        #expect(decoded.isTransactional)
        #expect(decoded.timestamp(of: decoded.records[0]) == 2000)
        #expect(decoded.partitionLeaderEpoch == 7 && decoded.producerId == 55 && decoded.producerEpoch == 3)
        #expect(decoded.baseSequence == 12 && decoded.baseTimestamp == 1000 && decoded.maxTimestamp == 2000)
        #expect(decoded.records == batch.records)
    }

    @Test("every codec round-trips; several batches append to one records field", arguments: CompressionCodec.allCases)
    func codecs(_ codec: CompressionCodec) throws {
        var random = RecordsRandom(state: UInt64(codec.rawValue))
        let records = (0..<50).map { Record(timestampDelta: Int64($0), offsetDelta: Int32($0), key: random.bytes(8), value: random.bytes(300)) }
        let batch = RecordBatch(baseOffset: 10, attributes: .init(compression: codec), baseTimestamp: 5, records: records)
        var writer = WireWriter()
        try RecordBatchEncoder.encode(batch, into: &writer)
        try RecordBatchEncoder.encode(batch, into: &writer)
        let set = try RecordSetDecoder().decode(writer.bytes)
        #expect(set.batches.count == 2)
        #expect(set.batches.allSatisfy { $0.records == records && $0.compression == codec && $0.lastOffsetDelta == 49 })
        #expect(set.batches.first?.maxTimestamp == 54)
    }

    @Test("delete horizon and control attributes decode")
    func attributes() throws {
        let attributes = RecordBatchAttributes(compression: .zstd, isControl: true, hasDeleteHorizon: true)
        #expect(attributes.rawValue == 0x64)
        let marker = Record(offsetDelta: 0, key: [0, 0, 0, 0], value: [0, 0, 0, 0, 0, 5])
        let batch = RecordBatch(attributes: attributes, baseTimestamp: 777, records: [marker])
        let decoded = try RecordBatch.decode(try batch.encoded())
        #expect(decoded.isControl && decoded.hasDeleteHorizon && decoded.deleteHorizonMs == 777)
        #expect(try decoded.controlRecords() == [try ControlRecord(marker)])
        #expect(try decoded.controlRecords().first?.type == .abort)
        #expect(try decoded.controlRecords().first?.coordinatorEpoch == 5)
    }
}
