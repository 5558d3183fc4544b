import CKafkaChecksum
import CZlib

/// CRC32C (Castagnoli): covers a v2 record batch from its attributes to its end.
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `crc` (0 to start).
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in kafka_crc32c(crc, raw.baseAddress, raw.count) }
    }

    /// Unsafe-pointer form, for callers already inside `withUnsafeBytes`.
    public static func checksum(_ raw: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        kafka_crc32c(crc, raw.baseAddress, raw.count)
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in kafka_crc32c(crc, raw.baseAddress, raw.count) }
    }

    /// The table-driven path alone, for tests and comparisons.
    public static func softwareChecksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in kafka_crc32c_software(crc, raw.baseAddress, raw.count) }
    }

    /// Whether the SSE4.2 path is in use on this CPU.
    public static var usesHardware: Bool { kafka_crc32c_hardware_available() != 0 }
}

/// CRC32 (IEEE, zlib's): covers a legacy v0/v1 message from its magic byte to its end.
public enum CRC32 {
    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            var value = uLong(crc)
            var base = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
            var left = raw.count
            // zlib takes a uInt length: feed very large buffers in pieces.
            while left > 0 {
                let piece = min(left, Int(UInt32.max >> 1))
                value = crc32(value, base, uInt(piece))
                base = base?.advanced(by: piece)
                left -= piece
            }
            return UInt32(truncatingIfNeeded: value)
        }
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        checksum(bytes[...], continuing: crc)
    }
}
