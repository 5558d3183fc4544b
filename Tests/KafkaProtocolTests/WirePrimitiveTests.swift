import Testing
@testable import KafkaProtocol

/// Known vectors for the primitive encodings, from the protocol guide's definitions
/// (zigzag varints as in protobuf, big-endian fixed widths, N+1 compact lengths).
@Suite struct WirePrimitiveTests {
    @Test(arguments: [
        (Int32(0), [UInt8]([0x00])),
        (Int32(-1), [0x01]),
        (Int32(1), [0x02]),
        (Int32(-64), [0x7F]),
        (Int32(64), [0x80, 0x01]),
        (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ])
    func varint(value: Int32, bytes: [UInt8]) throws {
        var writer = WireWriter()
        writer.writeVarInt(value)
        #expect(writer.bytes == bytes)
        var reader = WireReader(bytes)
        #expect(try reader.readVarInt() == value)
        #expect(reader.isAtEnd)
    }

    @Test(arguments: [
        (Int64(0), [UInt8]([0x00])),
        (Int64(-1), [0x01]),
        (Int64(1), [0x02]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ])
    func varlong(value: Int64, bytes: [UInt8]) throws {
        var writer = WireWriter()
        writer.writeVarLong(value)
        #expect(writer.bytes == bytes)
        var reader = WireReader(bytes)
        #expect(try reader.readVarLong() == value)
        #expect(reader.isAtEnd)
    }

    @Test func unsignedVarIntEdges() throws {
        for value: UInt32 in [0, 127, 128, 16383, 16384, UInt32.max] {
            var writer = WireWriter()
            writer.writeUnsignedVarInt(value)
            #expect(writer.bytes.count == WireWriter.unsignedVarIntSize(value))
            var reader = WireReader(writer.bytes)
            #expect(try reader.readUnsignedVarInt() == value)
        }
    }

    @Test func overlongVarintIsRejected() {
        var reader = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: KafkaCodecError.self) { try reader.readUnsignedVarInt() }
        var long = WireReader([UInt8](repeating: 0xFF, count: 11))
        #expect(throws: KafkaCodecError.self) { try long.readUnsignedVarLong() }
    }

    @Test func fixedWidthIsBigEndian() throws {
        var writer = WireWriter()
        writer.writeInt16(-2)
        writer.writeInt32(0x0102_0304)
        writer.writeInt64(-1)
        writer.writeFloat64(1.5)
        writer.writeUUID(KafkaUUID(high: 0x0011_2233_4455_6677, low: 0x8899_AABB_CCDD_EEFF))
        #expect(Array(writer.bytes.prefix(6)) == [0xFF, 0xFE, 0x01, 0x02, 0x03, 0x04])
        var reader = WireReader(writer.bytes)
        #expect(try reader.readInt16() == -2)
        #expect(try reader.readInt32() == 0x0102_0304)
        #expect(try reader.readInt64() == -1)
        #expect(try reader.readFloat64() == 1.5)
        let uuid = try reader.readUUID()
        #expect(uuid.description == "00112233-4455-6677-8899-aabbccddeeff")
        #expect(KafkaUUID(uuid.description) == uuid)
    }

    @Test func stringsInEveryForm() throws {
        var writer = WireWriter()
        try writer.writeString("kafka", compact: false)
        try writer.writeNullableString(nil, compact: false)
        try writer.writeString("kafka", compact: true)
        try writer.writeNullableString(nil, compact: true)
        #expect(writer.bytes == [0x00, 0x05] + Array("kafka".utf8) + [0xFF, 0xFF] + [0x06] + Array("kafka".utf8) + [0x00])
        var reader = WireReader(writer.bytes)
        #expect(try reader.readString(compact: false) == "kafka")
        #expect(try reader.readNullableString(compact: false) == nil)
        #expect(try reader.readString(compact: true) == "kafka")
        #expect(try reader.readNullableString(compact: true) == nil)
    }

    @Test func bytesInEveryForm() throws {
        var writer = WireWriter()
        writer.writeBytes([1, 2], compact: false)
        writer.writeNullableBytes(nil, compact: false)
        writer.writeBytes([3], compact: true)
        writer.writeNullableBytes(nil, compact: true)
        #expect(writer.bytes == [0, 0, 0, 2, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 2, 3, 0])
        var reader = WireReader(writer.bytes)
        #expect(try reader.readBytes(compact: false) == [1, 2])
        #expect(try reader.readNullableBytes(compact: false) == nil)
        #expect(try reader.readBytes(compact: true) == [3])
        #expect(try reader.readNullableBytes(compact: true) == nil)
    }

    @Test func nullWhereNotAllowedIsTyped() {
        var reader = WireReader([0xFF, 0xFF])
        do {
            _ = try reader.readString(compact: false)
            Issue.record("expected an error")
        } catch let error as KafkaCodecError {
            #expect(error.kind == .unexpectedNull)
            #expect(error.offset == 0)
        } catch {
            Issue.record("wrong error type \(error)")
        }
    }

    @Test func lengthBeyondBytesLeftIsTruncatedNotAllocated() {
        // A claimed 2 GiB byte string in a 6-byte buffer must fail before allocating.
        var reader = WireReader([0x7F, 0xFF, 0xFF, 0xFF, 0x00, 0x00])
        do {
            _ = try reader.readBytes(compact: false)
            Issue.record("expected an error")
        } catch let error as KafkaCodecError {
            #expect(error.kind == .truncated(needed: Int(Int32.max), available: 2))
        } catch {
            Issue.record("wrong error type \(error)")
        }
        var negative = WireReader([0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: KafkaCodecError.self) { try negative.readNullableBytes(compact: false) }
        var hugeArray = WireReader([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaCodecError.self) { try hugeArray.readArrayCount(compact: false, nullable: false) }
    }

    @Test func invalidUTF8IsTyped() {
        var reader = WireReader([0x00, 0x02, 0xC3, 0x28])
        do {
            _ = try reader.readString(compact: false)
            Issue.record("expected an error")
        } catch let error as KafkaCodecError {
            #expect(error.kind == .invalidUTF8)
        } catch {
            Issue.record("wrong error type \(error)")
        }
    }

    @Test func taggedFieldsKeepUnknownAndWriteInTagOrder() throws {
        var writer = WireWriter()
        writer.writeTaggedFields(known: [(tag: 5, data: [0xAA])], unknown: [UnknownTaggedField(tag: 2, data: [0xBB, 0xCC])])
        #expect(writer.bytes == [2, 2, 2, 0xBB, 0xCC, 5, 1, 0xAA])
        var reader = WireReader(writer.bytes)
        var seen: [UInt32] = []
        let unknown = try reader.readTaggedFields { tag, field in
            guard tag == 5 else { return false }
            seen.append(tag)
            let value = try field.readUInt8()
            #expect(value == 0xAA)
            return true
        }
        #expect(seen == [5])
        #expect(unknown == [UnknownTaggedField(tag: 2, data: [0xBB, 0xCC])])
    }

    @Test func versionRangeParsesSpecNotation() {
        #expect(VersionRange(spec: "0-3") == VersionRange(0, 3))
        #expect(VersionRange(spec: "4+") == .from(4))
        #expect(VersionRange(spec: "none")?.isEmpty == true)
        #expect(VersionRange(spec: "7") == VersionRange(7, 7))
        #expect(VersionRange(spec: "x") == nil)
        #expect(VersionRange(spec: "3-1") == nil)
        #expect(VersionRange(spec: "4+")?.contains(100) == true)
        #expect(VersionRange(0, 3).intersection(.from(2)) == VersionRange(2, 3))
    }

    @Test func errorPathReadsLikeAFieldPath() {
        let error = KafkaCodecError(.invalidUTF8, offset: 12).within("Name").within("[0]").within("Topics")
        #expect(error.fieldPath == "Topics[0].Name")
        #expect(error.forApi(key: 3, version: 9).description.contains("api key 3 v9"))
    }
}
