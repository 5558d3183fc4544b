import CSQLite
import Foundation
import GraphWriter
import PipelineModels
import Testing

/// The SQLite graph store on real database files: idempotent upserts, edge replacement,
/// reopening, concurrent writers and lock contention.
@Suite struct SQLiteGraphStoreTests {
    static func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(UUID().uuidString).sqlite").path
    }

    static func sql(_ repo: String, _ path: String, _ tables: [String]) -> GraphFile {
        GraphFile(repo: repo, path: path, lang: .sql, size: 100, hash: "h-\(path)", findings: .sql(tables: tables))
    }

    static func python(_ repo: String, _ path: String, _ functions: [String]) -> GraphFile {
        GraphFile(repo: repo, path: path, lang: .python, size: 42, hash: nil, findings: .python(functionNames: functions))
    }

    @Test func applyingTwiceLeavesOneOfEverything() async throws {
        let store = try SQLiteGraphStore(path: ":memory:")
        try await store.prepare()
        let files = [
            Self.sql("shop", "models/orders.sql", ["raw.orders", "customers"]),
            Self.sql("shop", "models/customers.sql", ["raw.customers", "customers"]),
            Self.python("shop", "etl/load.py", ["main", "load", "Loader.run"]),
            GraphFile(repo: "shop", path: "broken.py", lang: .python, size: 3, hash: "x", findings: .error("syntax at line 1")),
        ]
        for file in files { try await store.apply(file) }
        let first = try await store.summary()
        for file in files { try await store.apply(file) }
        try await store.prepare()
        let second = try await store.summary()

        #expect(first == second)
        #expect(second == GraphSummary(repos: 1, files: 4, filesByLanguage: ["sql": 2, "python": 2], functions: 3,
                                       tables: 3, containsEdges: 4, referencesEdges: 4))
        let referencing = try await store.filesReferencing(table: "customers")
        #expect(referencing.map(\.path) == ["models/customers.sql", "models/orders.sql"])
        #expect(referencing.first?.tables == ["customers", "raw.customers"])
        let all = try await store.files(inRepo: "shop")
        #expect(all.map(\.path) == ["broken.py", "etl/load.py", "models/customers.sql", "models/orders.sql"])
        #expect(all[0].error == "syntax at line 1" && all[0].functionCount == nil)
        #expect(all[1] == GraphFileNode(repo: "shop", path: "etl/load.py", lang: "python", size: 42, hash: nil,
                                        functionCount: 3, tables: [], error: nil))
        #expect(all[3].hash == "h-models/orders.sql" && all[3].size == 100)
        #expect(try await store.files(inRepo: "other").isEmpty)
    }

    @Test func reanalysisReplacesTableEdgesAndDropsOrphanTables() async throws {
        let store = try SQLiteGraphStore(path: ":memory:")
        try await store.prepare()
        try await store.apply(Self.sql("shop", "a.sql", ["t1", "t2"]))
        try await store.apply(Self.sql("shop", "b.sql", ["t2"]))
        try await store.apply(Self.sql("shop", "a.sql", ["t3"]))

        let summary = try await store.summary()
        #expect(summary.tables == 2, "t1 lost its last reference; t2 is still b.sql's")
        #expect(summary.referencesEdges == 2)
        #expect(summary.files == 2)
        #expect(try await store.filesReferencing(table: "t1").isEmpty)
        #expect(try await store.filesReferencing(table: "t2").map(\.path) == ["b.sql"])
        #expect(try await store.filesReferencing(table: "t3").map(\.path) == ["a.sql"])

        // A file that turns into an error finding keeps its node and loses its edges.
        try await store.apply(GraphFile(repo: "shop", path: "a.sql", lang: .sql, size: 1, hash: "e",
                                        findings: .error("unreadable")))
        #expect(try await store.summary().tables == 1)
        #expect(try await store.files(inRepo: "shop").first?.error == "unreadable")
    }

    @Test func sameTableAcrossReposIsOneNode() async throws {
        let store = try SQLiteGraphStore(path: ":memory:")
        try await store.prepare()
        try await store.apply(Self.sql("one", "x.sql", ["shared", "shared"]))
        try await store.apply(Self.sql("two", "x.sql", ["shared"]))
        let summary = try await store.summary()
        #expect(summary.repos == 2 && summary.files == 2 && summary.tables == 1 && summary.referencesEdges == 2)
        #expect(try await store.filesReferencing(table: "shared").map(\.repo) == ["one", "two"])
    }

    @Test func replayAfterReopenAddsNothing() async throws {
        let path = Self.temporaryDatabase()
        defer { Self.remove(path) }
        let files = (0..<20).map { Self.sql("repo", "m\($0).sql", ["t\($0 % 5)"]) }
        do {
            let store = try SQLiteGraphStore(path: path)
            try await store.prepare()
            for file in files { try await store.apply(file) }
        }
        let reopened = try SQLiteGraphStore(path: path)
        try await reopened.prepare()
        let before = try await reopened.summary()
        for file in files { try await reopened.apply(file) }
        let after = try await reopened.summary()
        #expect(before == after)
        #expect(after.files == 20 && after.tables == 5 && after.referencesEdges == 20)
        #expect(try Self.journalMode(path) == "wal")
    }

    @Test func twoStoresOnOneFileWriteConcurrently() async throws {
        let path = Self.temporaryDatabase()
        defer { Self.remove(path) }
        let first = try SQLiteGraphStore(path: path)
        let second = try SQLiteGraphStore(path: path)
        try await first.prepare()
        try await second.prepare()
        // Both write the same 40 files (overlapping table names) at the same time.
        let files = (0..<40).map { Self.sql("repo", "f\($0).sql", ["t\($0 % 7)", "common"]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [first, second] {
                group.addTask {
                    for file in files { try await store.apply(file) }
                }
            }
            try await group.waitForAll()
        }
        let summary = try await first.summary()
        #expect(summary == GraphSummary(repos: 1, files: 40, filesByLanguage: ["sql": 40], functions: 0,
                                        tables: 8, containsEdges: 40, referencesEdges: 80))
        #expect(try await second.summary() == summary)
    }

    @Test func aLockHeldPastTheBusyTimeoutIsTransient() async throws {
        let path = Self.temporaryDatabase()
        defer { Self.remove(path) }
        let store = try SQLiteGraphStore(path: path, busyTimeout: .milliseconds(50))
        try await store.prepare()

        var raw: OpaquePointer?
        #expect(sqlite3_open(path, &raw) == SQLITE_OK)
        defer { sqlite3_close(raw) }
        #expect(sqlite3_exec(raw, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
        let error = await #expect(throws: GraphStoreError.self) {
            try await store.apply(Self.sql("repo", "a.sql", ["t"]))
        }
        #expect(error?.isTransient == true, "\(String(describing: error))")

        // Once the other writer is done the same apply goes through.
        #expect(sqlite3_exec(raw, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
        try await store.apply(Self.sql("repo", "a.sql", ["t"]))
        #expect(try await store.summary().files == 1)
    }

    @Test func anUnopenablePathIsAClearPermanentError() throws {
        let path = "/nonexistent-\(UUID().uuidString)/graph.sqlite"
        let error = #expect(throws: GraphStoreError.self) { try SQLiteGraphStore(path: path) }
        #expect(error?.isTransient == false)
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
        #expect(error?.description.contains("cannot open") == true, "\(String(describing: error))")
    }

    @Test func aFileThatIsNotADatabaseIsPermanent() async throws {
        let path = Self.temporaryDatabase()
        defer { Self.remove(path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: GraphStoreError.self) {
            let store = try SQLiteGraphStore(path: path)
            try await store.prepare()
        }
        #expect(error?.isTransient == false)
        #expect(error?.description.contains("not a database") == true, "\(String(describing: error))")
    }

    static func journalMode(_ path: String) throws -> String {
        var raw: OpaquePointer?
        guard sqlite3_open(path, &raw) == SQLITE_OK else { throw GraphStoreError.permanent("open \(path)") }
        defer { sqlite3_close(raw) }
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW, let text = sqlite3_column_text(stmt, 0) else { return "" }
        return String(cString: text)
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
