// The Swift side of `make bench` (scripts/bench/run.py drives it). Same arguments as the C
// peer Benchmarks/rdkafka_bench.c, so the driver calls both the same way. Prints JSON lines.
import Foundation
import KafkaBenchKit
import KafkaCompression

let usage = """
    usage: kafka-bench produce BROKERS TOPIC COUNT SIZE CODEC LINGER_MS BATCH_BYTES BUFFER_BYTES
           kafka-bench consume BROKERS TOPIC COUNT SIZE PARTITIONS
           kafka-bench codec [MIN_SECONDS_PER_MEASUREMENT] [BATCH_BYTES]
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kafka-bench: \(message)\n".utf8))
    exit(2)
}

func number(_ text: String, _ what: String) -> Int {
    guard let value = Int(text), value >= 0 else { fail("\(what) must be a non-negative integer, got \(text)") }
    return value
}

let args = Array(CommandLine.arguments.dropFirst())
do {
    switch (args.first, args.count) {
    case ("produce", 9):
        var settings = WorkloadSettings(brokers: args[1], topic: args[2], count: number(args[3], "COUNT"), size: number(args[4], "SIZE"))
        switch args[5] {
        case "none": settings.codec = .none
        case "lz4": settings.codec = .lz4
        default: fail("CODEC must be none or lz4")
        }
        settings.lingerMs = number(args[6], "LINGER_MS")
        settings.batchBytes = number(args[7], "BATCH_BYTES")
        settings.bufferBytes = number(args[8], "BUFFER_BYTES")
        print(try await ProduceBench.run(settings).json)
    case ("consume", 6):
        var settings = WorkloadSettings(brokers: args[1], topic: args[2], count: number(args[3], "COUNT"), size: number(args[4], "SIZE"))
        settings.partitions = number(args[5], "PARTITIONS")
        print(try await ConsumeBench.run(settings).json)
    case ("codec", 1...3):
        var minSeconds = 0.5
        if args.count > 1 {
            guard let value = Double(args[1]) else { fail("MIN_SECONDS must be a number") }
            minSeconds = value
        }
        let batchBytes = args.count > 2 ? number(args[2], "BATCH_BYTES") : 1_000_000
        for measurement in try CodecBench.run(batchBytes: batchBytes, minSeconds: minSeconds) { print(measurement.json) }
    default:
        fail(usage)
    }
} catch {
    fail("\(error)")
}
