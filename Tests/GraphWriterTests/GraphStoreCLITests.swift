import CSQLite
import Foundation
import GraphWriter
import PipelineModels
import Synchronization
import Testing

/// `graph-store`, the built binary, over SQLite files: loading and querying, and a `kill -9`
/// in the middle of a load that must leave only whole files behind and a replay that completes it.
@Suite struct GraphStoreCLITests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct CLIError: Error, CustomStringConvertible { var description: String }

    static func binary() throws -> URL {
        let path = ProcessInfo.processInfo.environment["GRAPH_STORE_BIN"]
            ?? root.appendingPathComponent(".build/debug/graph-store").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CLIError(description: "graph-store not built at \(path): run `swift build` (make test does)")
        }
        return URL(fileURLWithPath: path)
    }

    /// Starts graph-store with stdin from `input` and stdout/stderr into `output`.
    static func start(_ arguments: [String], input: URL, output: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        let out = try FileHandle(forWritingTo: output)
        process.standardOutput = out
        process.standardError = out
        try process.run()
        return process
    }

    static func run(_ arguments: [String], input: String = "") async throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("graph-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inFile = directory.appendingPathComponent("in"), outFile = directory.appendingPathComponent("out")
        try Data(input.utf8).write(to: inFile)
        let process = try start(arguments, input: inFile, output: outFile)
        let status = await exit(of: process)
        return (status, try String(contentsOf: outFile, encoding: .utf8))
    }

    /// Awaits the process's end without blocking a cooperative thread.
    static func exit(of process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            // Resumed once, by whichever sees the end first: the handler or the check below.
            let pending = Mutex<CheckedContinuation<Int32, Never>?>(continuation)
            let finish = { @Sendable (status: Int32) in pending.withLock { $0.take() }?.resume(returning: status) }
            process.terminationHandler = { finish($0.terminationStatus) }
            if !process.isRunning { finish(process.terminationStatus) }
        }
    }

    /// File `i` of a synthetic repository: every third one Python with two functions, the others
    /// SQL with two shared tables and one of their own.
    static func file(_ i: Int) -> GraphFile {
        if i % 3 == 0 {
            return GraphFile(repo: "r\(i % 4)", path: "d/f\(i).py", lang: .python, size: nil, hash: nil,
                             findings: .python(functionNames: ["a", "b"]))
        }
        return GraphFile(repo: "r\(i % 4)", path: "d/f\(i).sql", lang: .sql, size: nil, hash: nil,
                         findings: .sql(tables: ["s.t\(i % 40)", "s.u\(i % 7)", "own_\(i)"]))
    }

    static func line(_ file: GraphFile) throws -> String {
        let message = CodeAnalyzed(repo: file.repo, file: file.path, lang: file.lang, findings: file.findings)
        return String(decoding: try message.encodeJSON(), as: UTF8.self)
    }

    /// What the graph holds after files 0..<count.
    static func expected(_ count: Int) -> GraphSummary {
        let files = (0..<count).map(file)
        var tables = Set<String>()
        var references = 0
        for file in files {
            if case .sql(let names) = file.findings { tables.formUnion(names); references += names.count }
        }
        let python = files.filter { $0.lang == .python }.count
        var byLanguage: [String: Int] = [:]
        if python > 0 { byLanguage["python"] = python }
        if count - python > 0 { byLanguage["sql"] = count - python }
        return GraphSummary(repos: min(count, 4), files: count, filesByLanguage: byLanguage, functions: 2 * python,
                            tables: tables.count, containsEdges: count, referencesEdges: references)
    }

    @Test func applyThenQueryFromTheCommandLine() async throws {
        let path = SQLiteGraphStoreTests.temporaryDatabase()
        defer { SQLiteGraphStoreTests.remove(path) }
        let input = try (0..<6).map { try Self.line(Self.file($0)) }.joined(separator: "\n") + "\n"
        let applied = try await Self.run(["apply", "--sqlite", path], input: input)
        #expect(applied.status == 0, "\(applied.output)")
        #expect(applied.output.contains("applied 6 file(s)"))

        let summary = try await Self.run(["summary", "--sqlite", path])
        #expect(summary.status == 0, "\(summary.output)")
        #expect(try JSONDecoder().decode(GraphSummary.self, from: Data(summary.output.utf8)) == Self.expected(6))

        let referencing = try await Self.run(["referencing", "s.u1", "--sqlite", path])
        let rows = referencing.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first?.prefix(3) == ["REPO", "PATH", "LANG"])
        #expect(rows.dropFirst().map { $0[1] } == ["d/f1.sql"], "\(referencing.output)")

        let files = try await Self.run(["files", "r0", "--sqlite", path])
        #expect(files.output.contains("d/f0.py") && files.output.contains("d/f4.sql"), "\(files.output)")

        let bad = try await Self.run(["apply", "--sqlite", path], input: "{\"repo\": 1}\n")
        #expect(bad.status != 0)
        #expect(bad.output.contains("line 1"), "\(bad.output)")
        let nowhere = try await Self.run(["summary"])
        #expect(nowhere.status != 0)
        #expect(nowhere.output.contains("--sqlite"), "\(nowhere.output)")
    }

    @Test func killNineMidLoadLeavesWholeFilesAndAReplayCompletesTheGraph() async throws {
        let path = SQLiteGraphStoreTests.temporaryDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("graph-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { SQLiteGraphStoreTests.remove(path); try? FileManager.default.removeItem(at: directory) }
        let total = 20_000  // far more than get applied before the kill
        let input = directory.appendingPathComponent("in.jsonl")
        try Data(try (0..<total).map { try Self.line(Self.file($0)) + "\n" }.joined().utf8).write(to: input)

        let reader = try SQLiteGraphStore(path: path)
        try await reader.prepare()
        let loader = try Self.start(["apply", "--sqlite", path], input: input, output: directory.appendingPathComponent("out"))
        let deadline = ContinuousClock.now + .seconds(120)
        var seen = 0
        while loader.isRunning, ContinuousClock.now < deadline, seen < 300 {
            seen = try await reader.summary().files
            if seen < 300 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try #require(loader.isRunning, "the load ended (or stalled) before the kill: \(seen) files seen")
        kill(loader.processIdentifier, SIGKILL)
        _ = await Self.exit(of: loader)
        #expect(loader.terminationReason == .uncaughtSignal)

        #expect(try Self.integrityCheck(path) == "ok")
        let afterKill = try await reader.summary()
        let applied = afterKill.files
        #expect(applied >= 300 && applied < total)
        // Files are applied in input order, one transaction each: exactly a prefix survives,
        // each file with all of its edges (none half-written).
        #expect(afterKill == Self.expected(applied))

        // A replay from before the kill (at-least-once redelivery) plus the next files.
        let replayed = min(total, applied + 50)
        let restarted = try SQLiteGraphStore(path: path)
        try await restarted.prepare()
        for i in max(0, applied - 50)..<replayed { try await restarted.apply(Self.file(i)) }
        #expect(try await restarted.summary() == Self.expected(replayed))
    }

    static func integrityCheck(_ path: String) throws -> String {
        var raw: OpaquePointer?
        guard sqlite3_open(path, &raw) == SQLITE_OK else { throw CLIError(description: "cannot open \(path)") }
        defer { sqlite3_close(raw) }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &stmt, nil) == SQLITE_OK else {
            throw CLIError(description: "integrity_check did not prepare")
        }
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW, let text = sqlite3_column_text(stmt, 0) else { return "" }
        return String(cString: text)
    }
}
