import Foundation

public struct GeneratedFile: Sendable, Equatable {
    public var name: String
    public var contents: String
}

/// Reads the spec directory and returns every generated file, in memory.
public enum CodeGenerator {
    /// Non-api messages the client needs besides the broker apis.
    public static let extraMessages: Set<String> = [
        "RequestHeader", "ResponseHeader", "ConsumerProtocolSubscription", "ConsumerProtocolAssignment",
    ]

    /// Requests the broker listens for, their responses (responses carry no listeners; they
    /// follow their request's api key) and the extra messages.
    public static func inScope(_ specs: [MessageSpec]) -> [MessageSpec] {
        var brokerKeys: Set<Int> = []
        for spec in specs where spec.kind == "request" && spec.listeners.contains("broker") {
            if let key = spec.apiKey { brokerKeys.insert(key) }
        }
        return specs.filter { spec in
            if extraMessages.contains(spec.name) { return true }
            guard spec.kind == "request" || spec.kind == "response", let key = spec.apiKey else { return false }
            return brokerKeys.contains(key)
        }
    }

    /// Parses every `*.json` spec (strictly, in scope or not) and generates the Swift files.
    public static func generate(specsDirectory: String) throws -> [GeneratedFile] {
        let directory = URL(fileURLWithPath: specsDirectory)
        let names = try FileManager.default.contentsOfDirectory(atPath: specsDirectory)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        var specs: [MessageSpec] = []
        for name in names {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            specs.append(try SpecParser.parse(text, file: String(name.dropLast(5))))
        }
        var files: [GeneratedFile] = []
        let inScope = inScope(specs)
        for spec in inScope {
            files.append(GeneratedFile(name: spec.name + ".swift", contents: try SwiftEmitter.emit(spec)))
        }
        files.append(GeneratedFile(name: "KafkaApis.swift", contents: try RegistryEmitter.emit(inScope)))
        let csv = try String(contentsOf: directory.appendingPathComponent("error-codes.csv"), encoding: .utf8)
        files.append(GeneratedFile(name: "KafkaErrorCode.swift", contents: try ErrorCodesEmitter.emit(csv: csv)))
        return files.sorted { $0.name < $1.name }
    }
}
