import KafkaProtocol
import Testing

/// Generated codecs against bytes written by hand from the protocol guide, not only round trips.
@Suite("Generated codecs")
struct CodecTests {
    // MARK: requests

    @Test func apiVersionsRequestV3() throws {
        // ClientSoftwareName and ClientSoftwareVersion are COMPACT_STRINGs (length + 1 as an
        // unsigned varint), followed by an empty tagged-field section.
        let bytes: [UInt8] = [0x0C] + ascii("kafka-swift") + [0x04] + ascii("1.0") + [0x00]
        let (request, trailing) = try ApiVersionsRequest.decode(bytes, version: 3)
        #expect(trailing == 0)
        #expect(request.clientSoftwareName == "kafka-swift")
        #expect(request.clientSoftwareVersion == "1.0")
        #expect(try request.encoded(version: 3) == bytes)
        // v0 carries nothing; both fields are ignorable, so they are dropped silently.
        #expect(try request.encoded(version: 0) == [])
    }

    @Test func metadataRequestV0AndV9() throws {
        var request = MetadataRequest()
        var topic = MetadataRequest.MetadataRequestTopic()
        topic.name = "foo"
        request.topics = [topic]

        // v0: int32 array count, int16-length string.
        let v0 = hex("00000001 0003") + ascii("foo")
        #expect(try request.encoded(version: 0) == v0)
        #expect(try MetadataRequest.decode(v0, version: 0).message == request)

        // v9: compact array (count + 1), compact string, struct tag section, then
        // AllowAutoTopicCreation (default true), IncludeCluster..(false), IncludeTopic..(false), tags.
        let v9 = hex("02 04") + ascii("foo") + hex("00 01 00 00 00")
        #expect(try request.encoded(version: 9) == v9)
        #expect(try MetadataRequest.decode(v9, version: 9).message == request)
    }

    @Test func requestHeaderV1AndV2() throws {
        var header = RequestHeader()
        header.requestApiKey = 3
        header.requestApiVersion = 9
        header.correlationId = 7
        header.clientId = "ab"
        let v1 = hex("0003 0009 00000007 0002") + ascii("ab")
        #expect(try header.encoded(version: 1) == v1)
        // v2 is flexible, but ClientId keeps its classic int16 length; only a tag section is added.
        let v2 = v1 + [0x00]
        #expect(try header.encoded(version: 2) == v2)
        #expect(try RequestHeader.decode(v2, version: 2).message == header)

        header.clientId = nil
        #expect(try header.encoded(version: 2) == hex("0003 0009 00000007 FFFF 00"))
        #expect(try RequestHeader.decode(hex("0003 0009 00000007 FFFF 00"), version: 2).message == header)
    }

    @Test func nullableStructCarriesPresenceByte() throws {
        // A nullable struct is preceded by an int8: -1 for null, 1 for present.
        var request = DescribeTopicPartitionsRequest()
        #expect(try request.encoded(version: 0) == hex("01 000007D0 FF 00"))
        var cursor = DescribeTopicPartitionsRequest.Cursor()
        cursor.topicName = "t"
        cursor.partitionIndex = 3
        request.cursor = cursor
        let bytes = hex("01 000007D0 01 02") + ascii("t") + hex("00000003 00 00")
        #expect(try request.encoded(version: 0) == bytes)
        #expect(try DescribeTopicPartitionsRequest.decode(bytes, version: 0).message == request)
        #expect(try DescribeTopicPartitionsRequest.decode(hex("01 000007D0 FF 00"), version: 0).message.cursor == nil)
    }

    // MARK: tagged fields

    /// ApiVersionsResponse v3: one api key, SupportedFeatures (tag 0), FinalizedFeaturesEpoch (tag 1).
    static let apiVersionsV3: [UInt8] =
        hex("0000")                      // ErrorCode
        + hex("02 0012 0000 0004 00")    // ApiKeys: one entry (18, 0..4), empty tags
        + hex("00000000")                // ThrottleTimeMs
        + hex("02")                      // two tagged fields
        + hex("00 08 02 02") + ascii("x") + hex("0001 0002 00")   // tag 0, 8 bytes
        + hex("01 08 0000000000000005")  // tag 1, 8 bytes

    @Test func taggedFieldsDecodedAndWritten() throws {
        let response = try ApiVersionsResponse.decode(Self.apiVersionsV3, version: 3).message
        #expect(response.apiKeys.count == 1)
        #expect(response.apiKeys.first?.maxVersion == 4)
        #expect(response.supportedFeatures.count == 1)
        #expect(response.supportedFeatures.first?.name == "x")
        #expect(response.finalizedFeaturesEpoch == 5)
        #expect(response.finalizedFeatures.isEmpty)
        #expect(response.unknownTaggedFields.isEmpty)
        #expect(try response.encoded(version: 3) == Self.apiVersionsV3)

        #expect(response.presentTaggedFields == [0, 1])

        // Defaults are not written: no tag section entries at all...
        var plain = ApiVersionsResponse()
        plain.apiKeys = response.apiKeys
        #expect(try plain.encoded(version: 3).suffix(1) == [0x00])
        // ...unless they were on the wire when decoded (Tansu writes tags at their defaults).
        var atDefaults = response
        atDefaults.supportedFeatures = []
        atDefaults.finalizedFeaturesEpoch = -1
        let reencoded = try atDefaults.encoded(version: 3)
        #expect(Array(reencoded.suffix(14)) == hex("02 00 01 01 01 08 FFFFFFFFFFFFFFFF"))
    }

    @Test func unknownTagPreservedOnReencode() throws {
        // Same message with a third, unknown tag 7 (one byte 0xAB) after the known ones.
        var bytes = Self.apiVersionsV3
        let sectionStart = bytes.count - (4 + 1 + 2 + 2 + 1) - (2 + 8) - 1
        #expect(bytes[sectionStart] == 0x02)
        bytes[sectionStart] = 0x03
        bytes += hex("07 01 AB")
        let response = try ApiVersionsResponse.decode(bytes, version: 3).message
        #expect(response.unknownTaggedFields == [UnknownTaggedField(tag: 7, data: [0xAB])])
        #expect(try response.encoded(version: 3) == bytes)
        let described = response.describe(version: 3)
        #expect(described[field: "_unknownTaggedFields"] != nil)
    }

    @Test func describeUsesSpecNamesInWireOrder() throws {
        let response = try ApiVersionsResponse.decode(Self.apiVersionsV3, version: 3).message
        guard case let .object(fields) = response.describe(version: 3) else {
            Issue.record("not an object")
            return
        }
        #expect(fields.map(\.name) == ["ErrorCode", "ApiKeys", "ThrottleTimeMs", "SupportedFeatures",
                                       "FinalizedFeaturesEpoch", "FinalizedFeatures", "ZkMigrationReady"])
        #expect(fields[4].value == .int(5))
        guard case let .object(v0) = response.describe(version: 0) else { return }
        #expect(v0.map(\.name) == ["ErrorCode", "ApiKeys"])
    }

    // MARK: version rules

    @Test func fieldNotInVersion() throws {
        var request = MetadataRequest()
        request.includeTopicAuthorizedOperations = true   // 8+, not ignorable
        let error = try #require(#expect(throws: KafkaCodecError.self) { try request.encoded(version: 7) })
        #expect(error.kind == .fieldNotInVersion(field: "IncludeTopicAuthorizedOperations", version: 7))
        #expect(throws: Never.self) { try request.encoded(version: 8) }

        var auto = MetadataRequest()
        auto.allowAutoTopicCreation = false               // 4+, default true, "ignorable": false
        let autoError = try #require(#expect(throws: KafkaCodecError.self) { try auto.encoded(version: 3) })
        #expect(autoError.kind == .fieldNotInVersion(field: "AllowAutoTopicCreation", version: 3))
    }

    @Test func ignorableFieldDropped() throws {
        var response = ApiVersionsResponse()
        response.throttleTimeMs = 100                     // 1+, ignorable
        let bytes = try response.encoded(version: 0)
        #expect(bytes == hex("0000 00000000"))
        #expect(try ApiVersionsResponse.decode(bytes, version: 0).message.throttleTimeMs == 0)
    }

    @Test func nullWhereNotNullable() throws {
        var request = MetadataRequest()
        request.topics = nil                              // nullable only from v1
        let encodeError = try #require(#expect(throws: KafkaCodecError.self) { try request.encoded(version: 0) })
        #expect(encodeError.kind == .unexpectedNull)
        #expect(encodeError.fieldPath == "Topics")
        #expect(try request.encoded(version: 1) == hex("FFFFFFFF"))

        let decodeError = try #require(#expect(throws: KafkaCodecError.self) {
            try MetadataRequest.decode(hex("FFFFFFFF"), version: 0)
        })
        #expect(decodeError.kind == .unexpectedNull)
        #expect(decodeError.fieldPath == "Topics")
        #expect(try MetadataRequest.decode(hex("FFFFFFFF"), version: 1).message.topics == nil)
    }

    @Test func decodeErrorNamesFieldPath() throws {
        // One topic whose name claims 5 bytes but only 2 follow.
        let bytes = hex("00000001 0005") + ascii("ab")
        let error = try #require(#expect(throws: KafkaCodecError.self) { try MetadataRequest.decode(bytes, version: 1) })
        #expect(error.fieldPath == "Topics[0].Name")
        #expect(error.kind == .truncated(needed: 5, available: 2))
    }

    @Test func unsupportedVersions() throws {
        #expect(throws: KafkaCodecError.self) { try MetadataRequest().encoded(version: 13) }
        let error = try #require(#expect(throws: KafkaCodecError.self) { try MetadataRequest.decode([], version: -1) })
        #expect(error.kind == .unsupportedVersion(-1))
    }

    // MARK: truncation never crashes

    static func samples() throws -> [(String, [UInt8], @Sendable ([UInt8]) throws -> Void)] {
        var metadata = MetadataRequest()
        var topic = MetadataRequest.MetadataRequestTopic()
        topic.name = "topic"
        topic.topicId = KafkaUUID(high: 1, low: 2)
        metadata.topics = [topic, topic]
        var header = RequestHeader()
        header.clientId = "client"
        return [
            ("ApiVersionsResponse v3", apiVersionsV3, { _ = try ApiVersionsResponse.decode($0, version: 3) }),
            ("MetadataRequest v12", try metadata.encoded(version: 12), { _ = try MetadataRequest.decode($0, version: 12) }),
            ("MetadataRequest v3", try metadata.encoded(version: 3), { _ = try MetadataRequest.decode($0, version: 3) }),
            ("RequestHeader v2", try header.encoded(version: 2), { _ = try RequestHeader.decode($0, version: 2) }),
        ]
    }

    @Test func everyStrictPrefixThrows() throws {
        for (name, bytes, decode) in try Self.samples() {
            #expect(throws: Never.self, "\(name) full") { try decode(bytes) }
            for length in 0..<bytes.count {
                #expect(throws: KafkaCodecError.self, "\(name) prefix \(length)") { try decode(Array(bytes.prefix(length))) }
            }
        }
    }

    @Test(arguments: [Int16(0), 4, 8, 12])
    func metadataResponseRoundTrip(version: Int16) throws {
        var response = MetadataResponse()
        var broker = MetadataResponse.MetadataResponseBroker()
        broker.nodeId = 1
        broker.host = "localhost"
        broker.port = 9092
        response.brokers = [broker]
        var topic = MetadataResponse.MetadataResponseTopic()
        topic.name = "t"
        var partition = MetadataResponse.MetadataResponsePartition()
        partition.replicaNodes = [1, 2]
        partition.isrNodes = [1]
        topic.partitions = [partition]
        response.topics = [topic]
        let bytes = try response.encoded(version: version)
        #expect(try MetadataResponse.decode(bytes, version: version).message == response)
    }
}
