/// The records both clients write and read: `size` bytes, starting with the record's index
/// (8 bytes, big-endian) and filled with letters. Readers check sizes, the count and the sum of
/// indices, so a lost or duplicated record fails the run instead of flattering the figures.
public enum BenchPayload {
    public static func value(index: Int, size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        for i in 0..<size { bytes[i] = UInt8(ascii: "a") &+ UInt8(i % 26) }
        write(index: index, into: &bytes)
        return bytes
    }

    /// Overwrites the index at the start of `bytes` (at least 8 bytes long).
    public static func write(index: Int, into bytes: inout [UInt8]) {
        let value = UInt64(index)
        for i in 0..<min(8, bytes.count) { bytes[i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64(i))) }
    }

    public static func index(of bytes: [UInt8]) -> Int? {
        guard bytes.count >= 8 else { return nil }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[i]) }
        return Int(truncatingIfNeeded: value)
    }

    /// What the indices of `count` records sum to (0 + 1 + … + count-1).
    public static func expectedIndexSum(count: Int) -> UInt64 {
        UInt64(count) &* UInt64(max(count - 1, 0)) / 2
    }
}

/// One workload's outcome, printed as one JSON line (the driver reads it).
public struct WorkloadResult: Sendable, Equatable {
    public var mode: String
    public var records: Int
    public var bytes: Int
    public var seconds: Double

    public init(mode: String, records: Int, bytes: Int, seconds: Double) {
        self.mode = mode
        self.records = records
        self.bytes = bytes
        self.seconds = seconds
    }

    public var json: String {
        "{\"client\":\"swift-kafka\",\"mode\":\"\(mode)\",\"records\":\(records),\"bytes\":\(bytes),\"seconds\":\(seconds)}"
    }
}

/// Why a workload failed (the driver shows it and stops).
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    var secondsElapsed: Double {
        let d = duration(to: .now).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }
}
