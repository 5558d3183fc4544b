import Foundation
import KafkaCodegenCore

// swift run kafka-codegen [--specs DIR] [--out DIR]
// Run from the package root: the defaults are relative to the current directory.
var specsDirectory = "../shared/kafka-message-specs"
var outputDirectory = "Sources/KafkaProtocol/Generated"

var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--specs", "--out":
        guard let value = arguments.popFirst() else {
            FileHandle.standardError.write(Data("kafka-codegen: \(argument) needs a directory\n".utf8))
            exit(2)
        }
        if argument == "--specs" { specsDirectory = value } else { outputDirectory = value }
    case "-h", "--help":
        print("usage: kafka-codegen [--specs DIR] [--out DIR]")
        exit(0)
    default:
        FileHandle.standardError.write(Data("kafka-codegen: unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kafka-codegen: \(message)\n".utf8))
    exit(1)
}

var isDirectory: ObjCBool = false
guard FileManager.default.fileExists(atPath: specsDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
    fail("spec directory \(specsDirectory) not found (run from the package root or pass --specs)")
}
// The default output path is relative: refuse to scatter files outside a package root.
guard FileManager.default.fileExists(atPath: outputDirectory)
    || FileManager.default.fileExists(atPath: "Package.swift") else {
    fail("\(outputDirectory) does not exist and the current directory is not a package root")
}

do {
    let files = try CodeGenerator.generate(specsDirectory: specsDirectory)
    let manager = FileManager.default
    try manager.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
    let wanted = Set(files.map(\.name))
    // Only .swift files are ours; anything else in the directory is left alone.
    for existing in try manager.contentsOfDirectory(atPath: outputDirectory)
    where existing.hasSuffix(".swift") && !wanted.contains(existing) {
        try manager.removeItem(atPath: outputDirectory + "/" + existing)
        print("removed \(existing)")
    }
    var written = 0
    for file in files {
        let path = outputDirectory + "/" + file.name
        // Leave unchanged files untouched so incremental builds stay incremental.
        if let old = try? String(contentsOfFile: path, encoding: .utf8), old == file.contents { continue }
        try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
        written += 1
    }
    print("kafka-codegen: \(files.count) files, \(written) written to \(outputDirectory)")
} catch {
    fail("\(error)")
}
