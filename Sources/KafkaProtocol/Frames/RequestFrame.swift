/// A request as it travels: header plus body, without the 4-byte size prefix.
public struct RequestFrame: Sendable {
    public var header: RequestHeader
    public var body: any KafkaMessage
    /// Bytes after a complete body. Real clients send some (librdkafka's all-topics Metadata
    /// request has 3), and Kafka's own parsers ignore them, so they are a warning, not an error.
    public var trailingBytes: Int

    public init(header: RequestHeader, body: any KafkaMessage, trailingBytes: Int = 0) {
        self.header = header
        self.body = body
        self.trailingBytes = trailingBytes
    }

    public var apiKey: Int16 { header.requestApiKey }
    public var apiVersion: Int16 { header.requestApiVersion }

    /// Decodes a request frame's payload. The api key and version come from the header itself,
    /// so any client's traffic can be read without context.
    public static func decode(_ payload: [UInt8]) throws -> RequestFrame {
        var peek = WireReader(payload)
        let key: Int16, version: Int16
        do {
            key = try peek.readInt16()
            version = try peek.readInt16()
        } catch let error as KafkaCodecError {
            throw error.within("RequestHeader")
        }
        let api = try KafkaApis.require(key: key, version: version)
        var reader = WireReader(payload)
        do {
            let header: RequestHeader
            do {
                header = try RequestHeader(from: &reader, version: api.requestHeaderVersion(for: version))
            } catch let error as KafkaCodecError {
                throw error.within("RequestHeader")
            }
            let body = try api.requestType.init(from: &reader, version: version)
            return RequestFrame(header: header, body: body, trailingBytes: reader.remaining)
        } catch let error as KafkaCodecError {
            throw error.forApi(key: key, version: version)
        }
    }

    /// Encodes header and body for the header's api version.
    public func encode() throws -> [UInt8] {
        let api = try KafkaApis.require(key: apiKey, version: apiVersion)
        var writer = WireWriter()
        do {
            try header.encode(to: &writer, version: api.requestHeaderVersion(for: apiVersion))
            try body.encode(to: &writer, version: apiVersion)
        } catch let error as KafkaCodecError {
            throw error.forApi(key: apiKey, version: apiVersion)
        }
        return writer.bytes
    }
}

extension KafkaApis {
    /// The api for `key`, checked to carry `version`; typed errors otherwise.
    public static func require(key: Int16, version: Int16) throws -> KafkaApi {
        guard let api = api(forKey: key) else {
            throw KafkaCodecError(.unknownApiKey(key), offset: 0, apiKey: key, apiVersion: version)
        }
        guard api.validVersions.contains(version) else {
            throw KafkaCodecError(.unsupportedVersion(version), offset: 2, apiKey: key, apiVersion: version)
        }
        return api
    }
}
