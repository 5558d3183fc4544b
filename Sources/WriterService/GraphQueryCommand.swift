import Foundation
import GraphWriter
import PipelineKit

/// `graph-writer query --summary | --table NAME | --repo NAME [--json]`: reads the graph the
/// writer built (the store the environment names) and prints it.
public enum GraphQueryCommand {
    public static let usage = """
        usage: graph-writer query (--summary | --table NAME | --repo NAME) [--json]

          --summary      counts: repos, files per language, functions, tables, edges
          --table NAME   files that reference table NAME (e.g. stg_orders, analytics.orders)
          --repo NAME    every file of repository NAME with its language, size, functions, tables
          --json         machine-readable output

        examples:
          SQLITE_PATH=./graph.sqlite graph-writer query --summary
          graph-writer query --table stg_orders
          graph-writer query --repo shop --json
        """

    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        var json = false
        var mode: (String, String?)?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--json": json = true
            case "--summary": mode = ("summary", nil)
            case "--table", "--repo":
                guard index + 1 < arguments.count else { return fail("\(argument) needs a value") }
                mode = (argument, arguments[index + 1])
                index += 1
            case "--help", "-h":
                print(usage)
                return 0
            default:
                return fail("unknown argument \(argument)")
            }
            index += 1
        }
        guard let mode else { return fail("say what to query") }
        do {
            let settings = try ServiceSettings(environment: environment, serviceName: "graph-writer")
            let (store, _) = try GraphStoreFactory.make(settings: settings)
            try await store.prepare()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            switch mode {
            case ("summary", _):
                let summary = try await store.summary()
                if json {
                    print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                } else {
                    print("repos      \(summary.repos)")
                    print("files      \(summary.files)  (" + summary.filesByLanguage.sorted { $0.key < $1.key }
                        .map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
                    print("functions  \(summary.functions)")
                    print("tables     \(summary.tables)")
                    print("edges      \(summary.containsEdges) repo-contains-file, \(summary.referencesEdges) file-references-table")
                }
            case ("--table", let table?):
                let files = try await store.filesReferencing(table: table)
                if json { print(String(decoding: try encoder.encode(files), as: UTF8.self)) } else {
                    for file in files { print("\(file.repo)\t\(file.path)") }
                }
            case (_, let repo?):
                let files = try await store.files(inRepo: repo)
                if json { print(String(decoding: try encoder.encode(files), as: UTF8.self)) } else {
                    for file in files {
                        let detail = file.error.map { "error: \($0)" }
                            ?? (file.functionCount.map { "\($0) functions" } ?? file.tables.joined(separator: ","))
                        print("\(file.path)\t\(file.lang)\t\(file.size.map(String.init) ?? "?")\t\(detail)")
                    }
                }
            default:
                return fail("say what to query")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("graph-writer query: \(error)\n".utf8))
            return 1
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("graph-writer query: \(message)\n\n\(usage)\n".utf8))
        return 2
    }
}
