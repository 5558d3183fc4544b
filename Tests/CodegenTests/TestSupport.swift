import Foundation

/// Paths the codegen tests need, found from this file's location so they work from any cwd.
enum TestPaths {
    /// The package root: Tests/CodegenTests/<file> -> three levels up.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let specsDirectory: String = {
        if let fromEnvironment = ProcessInfo.processInfo.environment["KAFKA_SPECS_DIR"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return packageRoot.appendingPathComponent("../shared/kafka-message-specs").standardized.path
    }()

    static let generatedDirectory: String = packageRoot.appendingPathComponent("Sources/KafkaProtocol/Generated").path

    static var specsAvailable: Bool {
        FileManager.default.fileExists(atPath: specsDirectory + "/MetadataRequest.json")
    }
}

/// Bytes from a hex string; spaces are ignored so tests can group fields.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    var out: [UInt8] = []
    var i = 0
    while i + 1 < digits.count {
        out.append(UInt8(String(digits[i...i + 1]), radix: 16) ?? 0)
        i += 2
    }
    return out
}

/// Bytes of an ASCII string, for building string fields by hand.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
