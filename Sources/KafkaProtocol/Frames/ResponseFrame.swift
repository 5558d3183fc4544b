/// A response as it travels: header plus body, without the 4-byte size prefix. A response
/// does not name its api, so decoding needs the request's key and version.
public struct ResponseFrame: Sendable {
    public var header: ResponseHeader
    public var body: any KafkaMessage
    public var apiKey: Int16
    /// The version the body was decoded with. Usually the request's; 0 for an ApiVersions
    /// answer of UNSUPPORTED_VERSION (brokers answer those in the v0 layout, see below).
    public var apiVersion: Int16
    public var trailingBytes: Int

    public init(header: ResponseHeader, body: any KafkaMessage, apiKey: Int16, apiVersion: Int16, trailingBytes: Int = 0) {
        self.header = header
        self.body = body
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.trailingBytes = trailingBytes
    }

    static let apiVersionsKey: Int16 = 18

    public static func decode(_ payload: [UInt8], apiKey: Int16, apiVersion: Int16) throws -> ResponseFrame {
        let api = try KafkaApis.require(key: apiKey, version: apiVersion)
        var reader = WireReader(payload)
        do {
            let header: ResponseHeader
            do {
                header = try ResponseHeader(from: &reader, version: api.responseHeaderVersion(for: apiVersion))
            } catch let error as KafkaCodecError {
                throw error.within("ResponseHeader")
            }
            if let fallback = try decodeUnsupportedApiVersions(reader, header: header, apiKey: apiKey, requested: apiVersion) {
                return fallback
            }
            let start = reader
            let body: any KafkaMessage
            do {
                body = try api.responseType.init(from: &reader, version: apiVersion)
            } catch let error as KafkaCodecError where error.kind == .unexpectedNull {
                guard let fallback = ErrorFirstFallback.decode(start, apiKey: apiKey, version: apiVersion) else { throw error }
                return ResponseFrame(header: header, body: fallback, apiKey: apiKey, apiVersion: apiVersion)
            }
            return ResponseFrame(header: header, body: body, apiKey: apiKey, apiVersion: apiVersion,
                                 trailingBytes: reader.remaining)
        } catch let error as KafkaCodecError {
            throw error.forApi(key: apiKey, version: apiVersion)
        }
    }

    /// A broker that does not support the ApiVersions version asked for answers
    /// UNSUPPORTED_VERSION in a layout of its choosing: Kafka brokers use v0 (error code and a
    /// classic array of what they support), librdkafka's mock cluster a v3-shaped body with
    /// stray bytes after it. As the protocol guide says, read the error code first; then take
    /// the v0 layout if it fits, else the requested one; if neither fits, the normal decode
    /// reports where the bytes went wrong.
    static func decodeUnsupportedApiVersions(
        _ reader: WireReader, header: ResponseHeader, apiKey: Int16, requested: Int16
    ) throws -> ResponseFrame? {
        guard apiKey == apiVersionsKey, requested > 0 else { return nil }
        var peek = reader
        guard let code = try? peek.readInt16(), code == KafkaErrorCode.unsupportedVersion.rawValue else {
            return nil
        }
        for version in [Int16(0), requested] {
            var attempt = reader
            if let body = try? ApiVersionsResponse(from: &attempt, version: version) {
                return ResponseFrame(header: header, body: body, apiKey: apiKey, apiVersion: version,
                                     trailingBytes: attempt.remaining)
            }
        }
        return nil
    }

    public func encode() throws -> [UInt8] {
        let api = try KafkaApis.require(key: apiKey, version: apiVersion)
        var writer = WireWriter()
        do {
            try header.encode(to: &writer, version: api.responseHeaderVersion(for: apiVersion))
            try body.encode(to: &writer, version: apiVersion)
        } catch let error as KafkaCodecError {
            throw error.forApi(key: apiKey, version: apiVersion)
        }
        return writer.bytes
    }
}
