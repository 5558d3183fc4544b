/// The few header fields the recorder needs, read without any codec.
/// Request: size int32, api_key int16, api_version int16, correlation_id int32.
/// Response: size int32, correlation_id int32.
enum FrameHeader {
    struct Request: Sendable {
        let apiKey: Int16
        let apiVersion: Int16
        let correlationId: Int32
    }

    static func request(_ frame: [UInt8]) -> Request? {
        guard frame.count >= 12 else { return nil }
        return Request(
            apiKey: Int16(bitPattern: be16(frame, 4)),
            apiVersion: Int16(bitPattern: be16(frame, 6)),
            correlationId: Int32(bitPattern: be32(frame, 8))
        )
    }

    static func responseCorrelationId(_ frame: [UInt8]) -> Int32? {
        guard frame.count >= 8 else { return nil }
        return Int32(bitPattern: be32(frame, 4))
    }

    private static func be16(_ b: [UInt8], _ i: Int) -> UInt16 {
        UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
