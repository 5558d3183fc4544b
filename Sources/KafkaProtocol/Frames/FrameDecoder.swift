/// Splits a byte stream into Kafka frames (int32 size + payload). Accepts input in any
/// pieces: `next()` returns nil until a whole frame has arrived. A size below zero or above
/// `maxFrameSize` is an error at once, before any payload is buffered.
public struct FrameDecoder: Sendable {
    public static let defaultMaxFrameSize = 100 * 1024 * 1024

    public let maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Bytes consumed since the start of the stream, for error offsets.
    private var streamOffset = 0

    public init(maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 65536 && readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame's payload (without its size prefix), or nil if more bytes are
    /// needed.
    public mutating func next() throws -> [UInt8]? {
        let available = buffer.count - readIndex
        guard available >= 4 else { return nil }
        var size = 0
        for i in 0..<4 { size = size << 8 | Int(buffer[readIndex + i]) }
        let signed = Int(Int32(truncatingIfNeeded: size))
        guard signed >= 0 else {
            throw KafkaCodecError(.invalidLength(Int64(signed)), offset: streamOffset, path: ["Size"])
        }
        guard signed <= maxFrameSize else {
            throw KafkaCodecError(.lengthExceedsLimit(length: Int64(signed), limit: Int64(maxFrameSize)),
                                  offset: streamOffset, path: ["Size"])
        }
        guard available >= 4 + signed else { return nil }
        let start = readIndex + 4
        let frame = Array(buffer[start..<(start + signed)])
        readIndex = start + signed
        streamOffset += 4 + signed
        return frame
    }

    /// Whether the stream ended cleanly between frames.
    public var isAtFrameBoundary: Bool { bufferedByteCount == 0 }
}

/// Size-prefixes a payload.
public func makeFrame(_ payload: [UInt8]) -> [UInt8] {
    var writer = WireWriter(capacity: payload.count + 4)
    writer.writeInt32(Int32(truncatingIfNeeded: payload.count))
    writer.writeRawBytes(payload)
    return writer.bytes
}
