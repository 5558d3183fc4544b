import Glibc
import KafkaCompression
import KafkaProtocol

/// Codec micro-benchmarks on one batch of about 1 MB: record-batch encode and decode (100 B and
/// 1 KiB records, none and lz4), CRC32C, and memcpy of the same bytes as the ceiling. Rates
/// count the batch's uncompressed encoded size, so codecs compare on the same work. Time is the
/// thread's CPU time, not wall time: the loops are single-threaded and CPU-bound, and on a
/// shared machine wall time mostly measures how often the scheduler ran someone else.
public enum CodecBench {
    public struct Measurement: Sendable {
        public var name: String
        public var bytes: Int
        public var iterations: Int
        public var seconds: Double
        public var gigabytesPerSecond: Double { seconds > 0 ? Double(bytes) * Double(iterations) / seconds / 1e9 : 0 }

        public var json: String {
            "{\"client\":\"swift-kafka\",\"mode\":\"codec\",\"name\":\"\(name)\",\"bytes\":\(bytes),\"iterations\":\(iterations),\"seconds\":\(seconds),\"gbps\":\(gigabytesPerSecond)}"
        }
    }

    /// A batch of `count` records of `size` bytes (values as the workloads write them).
    public static func batch(count: Int, size: Int, codec: CompressionCodec) -> RecordBatch {
        var records: [Record] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            records.append(Record(timestampDelta: Int64(index / 100), offsetDelta: Int32(index), key: nil,
                                  value: BenchPayload.value(index: index, size: size)))
        }
        return RecordBatch(attributes: RecordBatchAttributes(compression: codec), baseTimestamp: 1_700_000_000_000,
                           producerId: 7, producerEpoch: 0, baseSequence: 0, records: records)
    }

    /// Runs every measurement, each repeated until `minSeconds` have passed (at least once).
    /// `batchBytes` sets the batch size (about 1 MB in `make bench`; small in the smoke test).
    /// Throws if a decoded batch differs from what was encoded.
    public static func run(batchBytes: Int = 1_000_000, minSeconds: Double) throws -> [Measurement] {
        var results: [Measurement] = []
        var plainBatch: [UInt8] = []
        for size in [100, 1024] {
            let count = max(1, batchBytes / size)
            for codec in [CompressionCodec.none, .lz4] {
                let batch = batch(count: count, size: size, codec: codec)
                let encoded = try batch.encoded()
                let plainSize = codec == .none ? encoded.count : try RecordBatch(
                    attributes: .init(compression: .none), baseTimestamp: batch.baseTimestamp, records: batch.records).encoded().count
                if codec == .none && size == 1024 { plainBatch = encoded }
                let label = "\(size == 1024 ? "1KiB" : "100B") \(codec == .none ? "none" : "lz4")"
                results.append(try measure("encode \(label)", bytes: plainSize, minSeconds: minSeconds) {
                    _ = try RecordBatchEncoder.encode(batch)
                })
                let decoded = try RecordBatch.decode(encoded)
                guard decoded.records == batch.records else { throw BenchError("decode \(label): records differ from those encoded") }
                results.append(try measure("decode \(label)", bytes: plainSize, minSeconds: minSeconds) {
                    _ = try RecordBatch.decode(encoded)
                })
            }
        }
        let buffer = plainBatch
        results.append(try measure("crc32c", bytes: buffer.count, minSeconds: minSeconds) {
            _ = CRC32C.checksum(buffer)
        })
        var target = [UInt8](repeating: 0, count: buffer.count)
        results.append(try measure("memcpy", bytes: buffer.count, minSeconds: minSeconds) {
            buffer.withUnsafeBytes { source in
                target.withUnsafeMutableBytes { destination in
                    destination.copyMemory(from: source)  // memcpy
                }
            }
        })
        guard target == buffer else { throw BenchError("memcpy copied the wrong bytes") }
        return results
    }

    private static func measure(_ name: String, bytes: Int, minSeconds: Double, _ body: () throws -> Void) throws -> Measurement {
        try body()  // warm-up: caches, lazily built tables
        var iterations = 0
        let start = threadCPUSeconds()
        var seconds = 0.0
        repeat {
            for _ in 0..<8 { try body() }
            iterations += 8
            seconds = threadCPUSeconds() - start
        } while seconds < minSeconds
        return Measurement(name: name, bytes: bytes, iterations: iterations, seconds: seconds)
    }

    private static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
