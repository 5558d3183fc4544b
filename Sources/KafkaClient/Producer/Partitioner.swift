/// Chooses partitions the way Kafka's Java client (and librdkafka's `murmur2_random`) does, so
/// records with the same key land on the same partition whichever client wrote them.
public enum Partitioner {
    /// Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), seed 0x9747b28c.
    public static func murmur2(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBufferPointer { murmur2($0) }
    }

    public static func murmur2(_ data: UnsafeBufferPointer<UInt8>) -> Int32 {
        let length = data.count
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let whole = length & ~3
        var i = 0
        while i < whole {
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
            i += 4
        }
        // Java's switch falls through: 3 takes bytes 2, 1 and 0.
        let rest = length & 3
        if rest == 3 { h ^= UInt32(data[whole + 2]) << 16 }
        if rest >= 2 { h ^= UInt32(data[whole + 1]) << 8 }
        if rest >= 1 {
            h ^= UInt32(data[whole])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition for a non-null key: `(murmur2(key) & 0x7fffffff) % partitions`.
    public static func partition(forKey key: [UInt8], partitionCount: Int) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return Int32((Int(murmur2(key)) & 0x7fff_ffff) % partitionCount)
    }

    /// A partition for the next sticky run of null-key records, different from `previous`
    /// when there is a choice (so load spreads as batches complete).
    static func nextSticky(previous: Int32?, partitionCount: Int) -> Int32 {
        guard partitionCount > 1 else { return 0 }
        var next = Int32.random(in: 0..<Int32(partitionCount))
        if let previous, next == previous { next = (next + 1) % Int32(partitionCount) }
        return next
    }
}
