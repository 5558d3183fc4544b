import Foundation
import KafkaClient
import KafkaProtocol

/// The JSON published to `<topic><DLQ_SUFFIX>` for a record that could not be processed:
/// everything needed to inspect and replay it. Byte fields are text when they are valid UTF-8
/// and base64 otherwise; `*_encoding` says which ("utf8", "base64", or "null").
public struct DeadLetterEnvelope: Codable, Sendable, Equatable {
    public struct Header: Codable, Sendable, Equatable {
        public var key: String
        public var value: String?
        public var encoding: String

        public init(key: String, value: String?, encoding: String) {
            self.key = key
            self.value = value
            self.encoding = encoding
        }
    }

    public var key: String?
    public var keyEncoding: String
    public var value: String?
    public var valueEncoding: String
    public var headers: [Header]
    public var error: String
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var attempts: Int
    /// When the record was dead-lettered (ISO-8601 UTC).
    public var timestamp: String
    /// The source record's own timestamp (ms since the epoch).
    public var recordTimestamp: Int64

    enum CodingKeys: String, CodingKey {
        case key, value, headers, error, topic, partition, offset, attempts, timestamp
        case keyEncoding = "key_encoding"
        case valueEncoding = "value_encoding"
        case recordTimestamp = "record_timestamp"
    }

    public init(record: ConsumerRecord, error: String, attempts: Int, timestamp: String) {
        (key, keyEncoding) = Self.encode(record.key)
        (value, valueEncoding) = Self.encode(record.value)
        headers = record.headers.map { header in
            let (value, encoding) = Self.encode(header.value)
            return Header(key: header.key, value: value, encoding: encoding)
        }
        self.error = error
        topic = record.topic
        partition = record.partition
        offset = record.offset
        self.attempts = attempts
        self.timestamp = timestamp
        recordTimestamp = record.timestamp
    }

    /// The original bytes of an encoded field.
    public static func decode(_ text: String?, encoding: String) -> [UInt8]? {
        guard let text else { return nil }
        if encoding == "base64" { return Data(base64Encoded: text).map { Array($0) } }
        return Array(text.utf8)
    }

    static func encode(_ bytes: [UInt8]?) -> (String?, String) {
        guard let bytes else { return (nil, "null") }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, "utf8") }
        return (Data(bytes).base64EncodedString(), "base64")
    }

    public func encodeJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
