import Foundation
import Testing
import Analyzer
import PipelineModels

/// Hostile and random input must come back as findings, never as a trap or a hang.
@Suite("Analyzer robustness")
struct RobustnessTests {
    /// Small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet = Array("def async class from join into with as ( ) [ ] { } {{ }} {% %} {# #} ' \" ''' \"\"\" f\" r' # -- /* */ \\ \n \r\n \t , . ; : ! = $$ `x` [y] ref('a') source('s','t') select update merge using é".utf8)
    static let pieces: [String] = String(decoding: alphabet, as: UTF8.self).split(separator: " ").map(String.init) + [" "]

    @Test(arguments: [Language.python, .sql])
    func randomTokenSoupNeverTraps(_ lang: Language) {
        var rng = SplitMix(state: lang == .python ? 1 : 2)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<40, using: &rng)
            let text = (0..<count).map { _ in Self.pieces.randomElement(using: &rng) ?? "" }.joined()
            _ = analyze(file: "fuzz", lang: lang, contents: Data(text.utf8))
        }
    }

    @Test(arguments: [Language.python, .sql])
    func randomBytesNeverTrap(_ lang: Language) {
        var rng = SplitMix(state: 7)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = analyze(file: "fuzz", lang: lang, contents: Data(bytes))
        }
    }

    @Test func deeplyNestedFStringsAreAnErrorNotACrash() {
        let source = String(repeating: "f'{", count: 100_000)
        guard case .error(let message) = analyze(file: "deep.py", lang: .python, contents: Data(source.utf8)) else {
            Issue.record("expected an error finding")
            return
        }
        #expect(message.contains("nested too deeply"))
    }

    @Test func deeplyNestedSQLIsFine() throws {
        let sql = "SELECT * FROM " + String(repeating: "(SELECT * FROM ", count: 5_000) + "t" + String(repeating: ")", count: 5_000)
        #expect(analyze(file: "deep.sql", lang: .sql, contents: Data(sql.utf8)) == .sql(tables: ["t"]))
    }
}
