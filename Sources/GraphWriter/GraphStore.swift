import PipelineModels

/// One analyzed file as the writer applies it to the graph: the `code.analyzed` message plus the
/// size and hash the miner measured (carried to the writer in record headers, since the message
/// schema has no place for them).
public struct GraphFile: Sendable, Equatable {
    public var repo: String
    public var path: String
    public var lang: Language
    /// Bytes, when known (header `size` on `code.analyzed`).
    public var size: Int?
    /// sha256 hex, when known (header `hash` on `code.analyzed`).
    public var hash: String?
    public var findings: Findings

    public init(repo: String, path: String, lang: Language, size: Int?, hash: String?, findings: Findings) {
        self.repo = repo
        self.path = path
        self.lang = lang
        self.size = size
        self.hash = hash
        self.findings = findings
    }
}

/// Counts of what the graph holds; `make run` prints it and tests compare it.
public struct GraphSummary: Sendable, Equatable, Codable {
    public var repos: Int
    public var files: Int
    public var filesByLanguage: [String: Int]
    public var functions: Int
    public var tables: Int
    /// repo-contains-file edges
    public var containsEdges: Int
    /// file-references-table edges
    public var referencesEdges: Int

    public init(repos: Int, files: Int, filesByLanguage: [String: Int], functions: Int, tables: Int,
                containsEdges: Int, referencesEdges: Int) {
        self.repos = repos
        self.files = files
        self.filesByLanguage = filesByLanguage
        self.functions = functions
        self.tables = tables
        self.containsEdges = containsEdges
        self.referencesEdges = referencesEdges
    }
}

/// A file node as read back from the graph.
public struct GraphFileNode: Sendable, Equatable, Codable {
    public var repo: String
    public var path: String
    public var lang: String
    public var size: Int?
    public var hash: String?
    public var functionCount: Int?
    public var tables: [String]
    public var error: String?

    public init(repo: String, path: String, lang: String, size: Int?, hash: String?, functionCount: Int?,
                tables: [String], error: String?) {
        self.repo = repo
        self.path = path
        self.lang = lang
        self.size = size
        self.hash = hash
        self.functionCount = functionCount
        self.tables = tables
        self.error = error
    }
}

/// Where the writer puts the graph. `apply` is an idempotent upsert: applying the same file
/// twice (a replay after a crash) leaves exactly one Repo, File and Table node each and no
/// duplicate edge; a re-analyzed file replaces its previous table edges. Transient failures
/// (store unreachable, Dgraph transaction aborted) throw `GraphStoreError.transient` so the
/// service retries; anything else is permanent for that file.
public protocol GraphStore: Sendable {
    /// Creates tables, indexes or the Dgraph schema; safe to call on every start.
    func prepare() async throws
    func apply(_ file: GraphFile) async throws
    func summary() async throws -> GraphSummary
    /// Files (any repo) that reference `table`, sorted by repo then path.
    func filesReferencing(table: String) async throws -> [GraphFileNode]
    /// Every file of `repo`, sorted by path.
    func files(inRepo repo: String) async throws -> [GraphFileNode]
}

public enum GraphStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Worth retrying: the store was unreachable, busy, or aborted the transaction.
    case transient(String)
    /// Retrying will not help: the store refused the data or answered something unexpected.
    case permanent(String)

    public var isTransient: Bool {
        if case .transient = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .transient(let message): return "graph store (transient): \(message)"
        case .permanent(let message): return "graph store: \(message)"
        }
    }
}
