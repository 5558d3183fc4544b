import Dispatch
import PipelineModels

/// The graph in an embedded SQLite database (the system library), the writer's default store.
///
/// Nodes are rows (`repo`, `file`, `table_node`); repo-contains-file is `file.repo_id`,
/// file-references-table is `references_edge`. Every `apply` is one `BEGIN IMMEDIATE`
/// transaction of upserts keyed by the natural ids (repo name, repo + path, table name), so a
/// replay changes nothing and a process killed mid-write leaves the last committed state (WAL).
/// Table nodes exist while some file references them: re-analysis that drops a table's last
/// reference removes the node too, so counts match what the files say now.
///
/// Several instances (in one process or several) may share a file: SQLite's lock serializes
/// them, waiting up to `busyTimeout`; past that the call throws `.transient`. Calls run on a
/// private serial queue so the busy wait never blocks Swift's cooperative pool.
public final class SQLiteGraphStore: GraphStore, @unchecked Sendable {
    public let path: String
    // Touched only on `queue`.
    private let connection: SQLiteConnection
    private let queue: DispatchQueue

    /// Opens (creating if needed) the database at `path`; `":memory:"` gives a private in-memory
    /// graph. Throws `GraphStoreError.permanent` when the file cannot be opened.
    public init(path: String, busyTimeout: Duration = .seconds(5)) throws {
        let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        self.path = path
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Int32(clamping: milliseconds))
        queue = DispatchQueue(label: "GraphWriter.SQLiteGraphStore")
        // WAL lets readers run beside the writer; NORMAL sync in WAL keeps every committed
        // transaction across a process crash (only a power loss can drop the latest ones).
        try connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
    }

    public func prepare() async throws {
        try await onQueue { db in
            try db.execute(SQLiteGraphSchema.create)
        }
    }

    public func apply(_ file: GraphFile) async throws {
        try await onQueue { db in
            try db.transaction { try SQLiteGraphStore.upsert(file, into: db) }
        }
    }

    public func summary() async throws -> GraphSummary {
        try await onQueue { db in
            try db.transaction(immediate: false) {
                let count = { (sql: String) throws -> Int in try db.prepare(sql).integer([]) ?? 0 }
                var byLanguage: [String: Int] = [:]
                let languages = try db.prepare("SELECT lang, COUNT(*) FROM file GROUP BY lang")
                try languages.bind([])
                while try languages.step() {
                    byLanguage[languages.text(0) ?? "", default: 0] += languages.int(1) ?? 0
                }
                let files = try count("SELECT COUNT(*) FROM file")
                return GraphSummary(
                    repos: try count("SELECT COUNT(*) FROM repo"),
                    files: files,
                    filesByLanguage: byLanguage,
                    functions: try count("SELECT COALESCE(SUM(function_count), 0) FROM file"),
                    tables: try count("SELECT COUNT(*) FROM table_node"),
                    containsEdges: files,
                    referencesEdges: try count("SELECT COUNT(*) FROM references_edge"))
            }
        }
    }

    public func filesReferencing(table: String) async throws -> [GraphFileNode] {
        try await onQueue { db in
            try db.transaction(immediate: false) {
                try SQLiteGraphStore.nodes(db, where: """
                    JOIN references_edge e ON e.file_id = f.id JOIN table_node t ON t.id = e.table_id
                    WHERE t.name = ?1 ORDER BY r.name, f.path
                    """, table)
            }
        }
    }

    public func files(inRepo repo: String) async throws -> [GraphFileNode] {
        try await onQueue { db in
            try db.transaction(immediate: false) {
                try SQLiteGraphStore.nodes(db, where: "WHERE r.name = ?1 ORDER BY f.path", repo)
            }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }

    private static func upsert(_ file: GraphFile, into db: SQLiteConnection) throws {
        try db.prepare("INSERT OR IGNORE INTO repo(name) VALUES (?1)").run([.text(file.repo)])
        guard let repoId = try db.prepare("SELECT id FROM repo WHERE name = ?1").integer([.text(file.repo)]) else {
            throw GraphStoreError.permanent("repo \(file.repo) vanished inside its own transaction")
        }
        var tables: [String] = []
        var error: String?
        switch file.findings {
        case .python: break
        case .sql(let names): tables = Array(Set(names)).sorted()
        case .error(let message): error = message
        }
        let fileSQL = """
            INSERT INTO file(repo_id, path, lang, size, hash, function_count, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT(repo_id, path) DO UPDATE SET lang = excluded.lang, size = excluded.size, hash = excluded.hash,
                function_count = excluded.function_count, error = excluded.error
            RETURNING id
            """
        guard let fileId = try db.prepare(fileSQL).integer([
            .integer(repoId), .text(file.path), .text(file.lang.rawValue),
            file.size.map { .integer($0) } ?? .null, file.hash.map { .text($0) } ?? .null,
            file.findings.functionCount.map { .integer($0) } ?? .null, error.map { .text($0) } ?? .null,
        ]) else {
            throw GraphStoreError.permanent("upsert of \(file.repo)/\(file.path) returned no id")
        }

        // Replace this file's table edges with the current ones.
        let previous = try db.prepare("SELECT table_id FROM references_edge WHERE file_id = ?1")
        try previous.bind([.integer(fileId)])
        var previousTables: [Int] = []
        while try previous.step() { if let id = previous.int(0) { previousTables.append(id) } }
        try db.prepare("DELETE FROM references_edge WHERE file_id = ?1").run([.integer(fileId)])

        let insertTable = try db.prepare("INSERT OR IGNORE INTO table_node(name) VALUES (?1)")
        let tableId = try db.prepare("SELECT id FROM table_node WHERE name = ?1")
        let insertEdge = try db.prepare("INSERT OR IGNORE INTO references_edge(file_id, table_id) VALUES (?1, ?2)")
        var current = Set<Int>()
        for name in tables {
            try insertTable.run([.text(name)])
            guard let id = try tableId.integer([.text(name)]) else {
                throw GraphStoreError.permanent("table \(name) vanished inside its own transaction")
            }
            current.insert(id)
            try insertEdge.run([.integer(fileId), .integer(id)])
        }
        let dropOrphan = try db.prepare(
            "DELETE FROM table_node WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM references_edge WHERE table_id = ?1)")
        for id in previousTables where !current.contains(id) {
            try dropOrphan.run([.integer(id)])
        }
    }

    /// Files selected by `clause` (joins and a WHERE on `f` file and `r` repo, one text parameter),
    /// each with its tables sorted by name.
    private static func nodes(_ db: SQLiteConnection, where clause: String, _ parameter: String) throws -> [GraphFileNode] {
        let select = try db.prepare("""
            SELECT f.id, r.name, f.path, f.lang, f.size, f.hash, f.function_count, f.error
            FROM file f JOIN repo r ON r.id = f.repo_id \(clause)
            """)
        try select.bind([.text(parameter)])
        var rows: [(id: Int, node: GraphFileNode)] = []
        while try select.step() {
            rows.append((select.int(0) ?? 0, GraphFileNode(
                repo: select.text(1) ?? "", path: select.text(2) ?? "", lang: select.text(3) ?? "",
                size: select.int(4), hash: select.text(5), functionCount: select.int(6), tables: [],
                error: select.text(7))))
        }
        let tables = try db.prepare("""
            SELECT t.name FROM references_edge e JOIN table_node t ON t.id = e.table_id
            WHERE e.file_id = ?1 ORDER BY t.name
            """)
        return try rows.map { row in
            var node = row.node
            try tables.bind([.integer(row.id)])
            while try tables.step() { if let name = tables.text(0) { node.tables.append(name) } }
            return node
        }
    }
}

/// The SQLite schema; every statement is idempotent so `prepare` may run on every start.
enum SQLiteGraphSchema {
    static let create = """
        CREATE TABLE IF NOT EXISTS repo (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS file (
            id INTEGER PRIMARY KEY,
            repo_id INTEGER NOT NULL REFERENCES repo(id),
            path TEXT NOT NULL,
            lang TEXT NOT NULL,
            size INTEGER,
            hash TEXT,
            function_count INTEGER,
            error TEXT,
            UNIQUE (repo_id, path)
        );
        CREATE TABLE IF NOT EXISTS table_node (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS references_edge (
            file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE,
            table_id INTEGER NOT NULL REFERENCES table_node(id),
            PRIMARY KEY (file_id, table_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS references_edge_by_table ON references_edge(table_id);
        """
}
