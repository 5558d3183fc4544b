import KafkaCompression

/// Turns decoded frames into JSON for people: the spec's field names in wire order, record
/// batches expanded (offsets, timestamps, keys, values, headers, codec), bytes as text when
/// they are UTF-8 and base64 otherwise. Used by `kafka-admin decode`.
public struct FrameInspector: Sendable {
    public var recordOptions: RecordDecodingOptions

    public init(recordOptions: RecordDecodingOptions = .default) {
        self.recordOptions = recordOptions
    }

    public func json(request frame: RequestFrame) -> JSONValue {
        let api = KafkaApis.api(forKey: frame.apiKey)
        let headerVersion = api?.requestHeaderVersion(for: frame.apiVersion) ?? 1
        var fields: [(String, JSONValue)] = [
            ("direction", .string("request")),
            ("apiKey", .int(Int64(frame.apiKey))),
            ("apiName", .string(api?.name ?? "unknown")),
            ("apiVersion", .int(Int64(frame.apiVersion))),
            ("headerVersion", .int(Int64(headerVersion))),
            ("header", json(frame.header.describe(version: headerVersion))),
            ("body", json(frame.body.describe(version: frame.apiVersion))),
        ]
        if frame.trailingBytes > 0 { fields.append(("trailingBytes", .int(Int64(frame.trailingBytes)))) }
        return .object(fields)
    }

    public func json(response frame: ResponseFrame) -> JSONValue {
        let api = KafkaApis.api(forKey: frame.apiKey)
        let headerVersion = api?.responseHeaderVersion(for: frame.apiVersion) ?? 0
        var fields: [(String, JSONValue)] = [
            ("direction", .string("response")),
            ("apiKey", .int(Int64(frame.apiKey))),
            ("apiName", .string(api?.name ?? "unknown")),
            ("apiVersion", .int(Int64(frame.apiVersion))),
            ("headerVersion", .int(Int64(headerVersion))),
            ("header", json(frame.header.describe(version: headerVersion))),
            ("body", json(frame.body.describe(version: frame.apiVersion))),
        ]
        if frame.trailingBytes > 0 { fields.append(("trailingBytes", .int(Int64(frame.trailingBytes)))) }
        return .object(fields)
    }

    public func json(_ value: WireValue) -> JSONValue {
        switch value {
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(i)
        case let .float(d): return .double(d)
        case let .string(s): return s.map(JSONValue.string) ?? .null
        case let .bytes(b): return b.map(JSONValue.bytes) ?? .null
        case let .uuid(u): return .string(u.description)
        case let .records(r): return r.map(records) ?? .null
        case let .array(items): return items.map { .array($0.map(json)) } ?? .null
        case let .object(fields): return .object(fields.map { ($0.name, json($0.value)) })
        }
    }

    /// A records field expanded. A field that does not decode keeps its raw bytes and says why,
    /// so the rest of the frame still prints.
    public func records(_ bytes: [UInt8]) -> JSONValue {
        let decoded: DecodedRecordSet
        do {
            decoded = try RecordSetDecoder(options: recordOptions).decode(bytes)
        } catch {
            return .object([
                ("error", .string("\(error)")),
                ("sizeInBytes", .int(Int64(bytes.count))),
                ("raw", .object([("base64", .string(Base64.encode(bytes)))])),
            ])
        }
        var fields: [(String, JSONValue)] = [("sizeInBytes", .int(Int64(bytes.count)))]
        var batches: [JSONValue] = []
        var messages: [JSONValue] = []
        for entry in decoded.entries {
            switch entry {
            case let .batch(batch): batches.append(json(batch))
            case let .legacy(message): messages.append(json(message))
            }
        }
        if !batches.isEmpty || messages.isEmpty { fields.append(("batches", .array(batches))) }
        if !messages.isEmpty { fields.append(("legacyMessages", .array(messages))) }
        if decoded.truncatedTailBytes > 0 {
            fields.append(("truncatedTailBytes", .int(Int64(decoded.truncatedTailBytes))))
        }
        return .object(fields)
    }

    func json(_ batch: RecordBatch) -> JSONValue {
        let records: [JSONValue] = batch.records.map { record in
            .object([
                ("offset", .int(batch.offset(of: record))),
                ("timestamp", .int(batch.timestamp(of: record))),
                ("key", optionalBytes(record.key)),
                ("value", optionalBytes(record.value)),
                ("headers", .array(record.headers.map { header in
                    .object([("key", .string(header.key)), ("value", optionalBytes(header.value))])
                })),
            ])
        }
        return .object([
            ("baseOffset", .int(batch.baseOffset)),
            ("batchLength", .int(Int64(batch.batchLength))),
            ("partitionLeaderEpoch", .int(Int64(batch.partitionLeaderEpoch))),
            ("magic", .int(Int64(batch.magic))),
            ("crc", .int(Int64(batch.crc))),
            ("codec", .string(batch.compression.name)),
            ("timestampType", .string(batch.timestampType == .logAppendTime ? "LogAppendTime" : "CreateTime")),
            ("isTransactional", .bool(batch.isTransactional)),
            ("isControl", .bool(batch.isControl)),
            ("lastOffsetDelta", .int(Int64(batch.lastOffsetDelta))),
            ("baseTimestamp", .int(batch.baseTimestamp)),
            ("maxTimestamp", .int(batch.maxTimestamp)),
            ("producerId", .int(batch.producerId)),
            ("producerEpoch", .int(Int64(batch.producerEpoch))),
            ("baseSequence", .int(Int64(batch.baseSequence))),
            ("records", .array(records)),
        ])
    }

    func json(_ message: LegacyMessage) -> JSONValue {
        .object([
            ("offset", .int(message.offset)),
            ("magic", .int(Int64(message.magic))),
            ("crc", .int(Int64(message.crc))),
            ("codec", .string(message.wrapperCompression.name)),
            ("timestamp", .int(message.timestamp)),
            ("key", optionalBytes(message.key)),
            ("value", optionalBytes(message.value)),
        ])
    }

    /// Where records fields failed to decode in an inspected frame, as "path: error" lines, so
    /// a tool can print the frame and still fail.
    public static func recordFailures(in value: JSONValue, path: String = "") -> [String] {
        switch value {
        case let .object(fields):
            if fields.first?.0 == "error", case let .string(message)? = fields.first.map({ $0.1 }),
               fields.contains(where: { $0.0 == "raw" }) {
                return ["\(path): \(message)"]
            }
            return fields.flatMap { recordFailures(in: $0.1, path: path.isEmpty ? $0.0 : "\(path).\($0.0)") }
        case let .array(items):
            return items.enumerated().flatMap { recordFailures(in: $0.element, path: "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }

    func optionalBytes(_ bytes: [UInt8]?) -> JSONValue { bytes.map(JSONValue.bytes) ?? .null }
}
