/// Splits one direction of a Kafka connection into frames (int32 big-endian size prefix).
/// Frames keep their prefix: fixtures are the exact bytes on the wire.
struct FrameSplitter {
    /// Kafka's own default limit is 100 MiB; anything beyond is not Kafka traffic.
    static let maxFrameSize = 100 * 1024 * 1024

    struct BadSize: Error, CustomStringConvertible {
        let size: Int32
        var description: String { "frame size \(size) outside 0...\(FrameSplitter.maxFrameSize)" }
    }

    private var buffer: [UInt8] = []
    private var start = 0

    /// Appends received bytes and returns every frame now complete.
    mutating func push(_ bytes: [UInt8]) throws -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        while buffer.count - start >= 4 {
            let size = Int32(bitPattern: UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16
                | UInt32(buffer[start + 2]) << 8 | UInt32(buffer[start + 3]))
            guard size >= 0, Int(size) <= Self.maxFrameSize else { throw BadSize(size: size) }
            let end = start + 4 + Int(size)
            guard buffer.count >= end else { break }
            frames.append(Array(buffer[start..<end]))
            start = end
        }
        // Compact once the consumed prefix dominates, so long connections stay cheap.
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return frames
    }

    /// Bytes of an incomplete frame left when the stream ended.
    var pendingByteCount: Int { buffer.count - start }
}
