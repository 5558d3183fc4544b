import Foundation
import KafkaFuzzTargets
import Testing

/// The fuzz target run without libFuzzer: every seed the corpus script makes from `Fixtures/`, then
/// seeded random mutations of them. This proves the target decodes real inputs (so the fuzzer starts
/// from meaningful bytes) and survives a first round of mutations; `make fuzz` does the long run.
@Suite struct DecoderFuzzTargetTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func seeds() throws -> [[UInt8]] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-seeds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/fuzz/make-corpus.py").path,
                             packageRoot.appendingPathComponent("Fixtures").path, out.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "make-corpus.py failed")
        return try FileManager.default.contentsOfDirectory(atPath: out.path).sorted().map {
            Array(try Data(contentsOf: out.appendingPathComponent($0)))
        }
    }

    @Test func seedsDecodeInEveryMode() throws {
        let seeds = try Self.seeds()
        try #require(seeds.count > 300, "expected hundreds of seeds from Fixtures, got \(seeds.count)")
        var decodedByMode: [UInt8: Int] = [:]
        var seedsByMode: [UInt8: Int] = [:]
        for seed in seeds {
            seedsByMode[seed[0] % 4, default: 0] += 1
            if DecoderFuzzTarget.run(seed) > 0 { decodedByMode[seed[0] % 4, default: 0] += 1 }
        }
        // Real bytes must decode in every mode, or the fuzzer would start from noise.
        for mode in DecoderFuzzTarget.Mode.allCases {
            #expect(decodedByMode[mode.rawValue, default: 0] > 0, "no seed decoded in mode \(mode)")
        }
        // Frames: all but the few the fixtures keep on purpose (versions beyond our specs, such as
        // the mock cluster's Metadata v13) decode.
        for mode in [DecoderFuzzTarget.Mode.requestFrames, .response] {
            let total = seedsByMode[mode.rawValue, default: 0]
            #expect(total > 150)
            #expect(decodedByMode[mode.rawValue, default: 0] * 100 >= total * 95, "mode \(mode)")
        }
    }

    @Test func mutatedSeedsNeverCrash() throws {
        let seeds = try Self.seeds()
        var rng = SplitMix64(seed: 0x6b61_666b_615f_667a)
        var runs = 0
        for seed in seeds {
            for _ in 0..<10 {
                var input = seed
                for _ in 0...Int(rng.next() % 4) { mutate(&input, &rng) }
                DecoderFuzzTarget.run(input)
                runs += 1
            }
        }
        #expect(runs == seeds.count * 10)
    }

    /// libFuzzer-like edits: flip a bit, set an interesting byte, cut, duplicate a slice.
    func mutate(_ input: inout [UInt8], _ rng: inout SplitMix64) {
        guard input.count > 1 else { return }
        let at = 1 + Int(rng.next() % UInt64(input.count - 1))  // keep the mode byte
        switch rng.next() % 4 {
        case 0: input[at] ^= UInt8(1 << (rng.next() % 8))
        case 1: input[at] = [0x00, 0xff, 0x7f, 0x80, 0x01][Int(rng.next() % 5)]
        case 2: input.removeSubrange(at...)
        default:
            let end = min(input.count, at + Int(rng.next() % 16))
            input.insert(contentsOf: input[at..<end], at: at)
        }
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
