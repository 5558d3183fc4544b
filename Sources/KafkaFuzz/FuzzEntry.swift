import Foundation
import KafkaFuzzTargets

// Built two ways (see `make fuzz`):
// - with `-sanitize=fuzzer,address -D FUZZING`: main starts libFuzzer's driver, which calls the
//   target with mutated inputs (SwiftPM links its own main into executables, so libFuzzer's cannot be
//   used);
// - in the ordinary build: a replayer that runs files (a corpus or a crash reproducer) through the
//   same target, so the target always compiles and a crash can be replayed without sanitizers.
#if FUZZING
import CLibFuzzer

@main
struct FuzzDecoders {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            DecoderFuzzTarget.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        }
        exit(status)
    }
}
#else
@main
struct ReplayFuzzInputs {
    static func main() throws {
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: kafka-fuzz FILE|DIR...  (replays inputs; `make fuzz` builds the real fuzzer)\n".utf8))
            exit(2)
        }
        var files = 0
        var decoded = 0
        for path in paths {
            for file in try inputFiles(at: path) {
                decoded += DecoderFuzzTarget.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                files += 1
            }
        }
        print("replayed \(files) inputs, \(decoded) values decoded, no crash")
    }

    static func inputFiles(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
    }
}
#endif
