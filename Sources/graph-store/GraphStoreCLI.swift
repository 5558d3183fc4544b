import ArgumentParser
import Foundation
import GraphWriter
import PipelineModels

/// Reads (and, for loading or replays, writes) the writer's graph from a terminal.
@main
struct GraphStoreCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph-store",
        abstract: "Query the writer's graph (SQLite file or Dgraph): counts, files per repo, files per table.",
        discussion: """
        The store is --sqlite PATH, else --dgraph URL, else $DGRAPH_URL.

        Examples:
          graph-store summary --sqlite graph.sqlite
          graph-store referencing analytics.orders --sqlite graph.sqlite
          graph-store files shop --dgraph http://localhost:8080
          kafka-admin consume code.analyzed -o start -e | graph-store apply --sqlite graph.sqlite
        """,
        subcommands: [Summary.self, Referencing.self, Files.self, Apply.self]
    )
}

struct StoreOptions: ParsableArguments {
    @Option(help: "SQLite database file.") var sqlite: String?
    @Option(help: "Dgraph HTTP URL (default: $DGRAPH_URL).") var dgraph: String?

    func open() throws -> any GraphStore {
        if let sqlite { return try SQLiteGraphStore(path: sqlite) }
        if let url = dgraph ?? ProcessInfo.processInfo.environment["DGRAPH_URL"] { return try DgraphGraphStore(url: url) }
        throw ValidationError("name a store: --sqlite PATH or --dgraph URL (or set DGRAPH_URL)")
    }
}

struct Summary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print node and edge counts as JSON.",
        discussion: "Example:\n  graph-store summary --sqlite graph.sqlite")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let summary = try await store.open().summary()
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}

struct Referencing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the files that reference a table.",
        discussion: "Example:\n  graph-store referencing raw.orders --sqlite graph.sqlite")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Table name as the analyzer reports it (schema-qualified names kept).") var table: String

    func run() async throws {
        printFiles(try await store.open().filesReferencing(table: table))
    }
}

struct Files: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a repository's files with language, size, functions and tables.",
        discussion: "Example:\n  graph-store files shop --sqlite graph.sqlite")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Repository name.") var repo: String

    func run() async throws {
        printFiles(try await store.open().files(inRepo: repo))
    }
}

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply code.analyzed messages (one JSON object per line of standard input) to the graph.",
        discussion: "Example:\n  kafka-admin consume code.analyzed -o start -e | graph-store apply --sqlite graph.sqlite")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let graph = try store.open()
        try await graph.prepare()
        var applied = 0
        var lineNumber = 0
        while let line = readLine() {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let message: CodeAnalyzed
            do {
                message = try CodeAnalyzed.decodeStrict(from: Data(line.utf8))
            } catch {
                throw ValidationError("line \(lineNumber): not a code.analyzed message: \(error)")
            }
            try await graph.apply(GraphFile(repo: message.repo, path: message.file, lang: message.lang,
                                            size: nil, hash: nil, findings: message.findings))
            applied += 1
        }
        print("applied \(applied) file(s)")
    }
}

func printFiles(_ files: [GraphFileNode]) {
    var rows = [["REPO", "PATH", "LANG", "SIZE", "FUNCTIONS", "TABLES", "ERROR"]]
    for file in files {
        rows.append([file.repo, file.path, file.lang, file.size.map(String.init) ?? "-",
                     file.functionCount.map(String.init) ?? "-",
                     file.tables.isEmpty ? "-" : file.tables.joined(separator: ","), file.error ?? ""])
    }
    var widths = rows[0].map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        let line = row.enumerated().map { i, cell in cell.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) }.joined()
        print(String(line.reversed().drop { $0 == " " }.reversed()))
    }
}
