import Foundation
import Testing

/// The repository's Fixtures/codecs directory, found from this file's path.
func codecFixturesURL(filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/codecs")
}

func readFixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: codecFixturesURL().appendingPathComponent(name)))
}

/// Runs `python3 -c script args…` and returns its stdout. A missing python3 or package is a
/// test failure with the interpreter's message, never a silent skip.
func runPython(_ script: String, _ arguments: [String] = []) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let message = String(decoding: stderr, as: UTF8.self)
        Issue.record("python3 failed (status \(process.terminationStatus)); kafka-python with python-snappy, lz4 and zstandard must be installed: \(message)")
        throw PythonError.failed(message)
    }
    return stdout
}

enum PythonError: Error { case failed(String) }

/// Deterministic bytes (SplitMix64), compressible or not.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    /// Text-like bytes drawn from a small alphabet, so they compress.
    mutating func text(_ count: Int) -> [UInt8] {
        let alphabet = Array("abcdefgh ij\n".utf8)
        return (0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
    }
}
