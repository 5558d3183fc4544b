import Foundation
import PipelineModels

/// The graph in Dgraph, over its HTTP API (`DGRAPH_URL`, e.g. `http://dgraph:8080`).
///
/// `prepare` posts the schema to `/alter`; `apply` posts one DQL upsert block per file to
/// `/mutate?commitNow=true` (see `DgraphDQL.upsert`); reads go to `/query`. Transient failures
/// (Dgraph unreachable, HTTP 5xx, "Transaction has been aborted. Please retry") are retried here
/// `attempts` times in all with exponential backoff, then thrown as `.transient` for the
/// service's own retry policy; anything else throws `.permanent` at once.
public struct DgraphGraphStore: GraphStore {
    public let url: URL
    public let attempts: Int
    public let backoff: Duration
    private let http: DgraphHTTP

    public init(url: URL, attempts: Int = 3, backoff: Duration = .milliseconds(100), timeout: TimeInterval = 30) {
        self.url = url
        self.attempts = max(1, attempts)
        self.backoff = backoff
        http = DgraphHTTP(baseURL: url, timeout: timeout)
    }

    /// From a `DGRAPH_URL`-style string; throws `.permanent` when it is not an http(s) URL.
    public init(url: String, attempts: Int = 3, backoff: Duration = .milliseconds(100)) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parsed.host != nil else {
            throw GraphStoreError.permanent("DGRAPH_URL \(url) is not an http(s) URL such as http://localhost:8080")
        }
        self.init(url: parsed, attempts: attempts, backoff: backoff)
    }

    public func prepare() async throws {
        _ = try await retrying {
            try await http.post("alter", contentType: "application/dql", body: DgraphDQL.schema, as: AlterAnswer.self)
        }
    }

    public func apply(_ file: GraphFile) async throws {
        let block = DgraphDQL.upsert(file)
        _ = try await retrying {
            try await http.post("mutate", query: [URLQueryItem(name: "commitNow", value: "true")],
                                contentType: "application/rdf", body: block, as: MutateAnswer.self)
        }
    }

    public func summary() async throws -> GraphSummary {
        let answer = try await query(DgraphDQL.summary, as: SummaryAnswer.self)
        var byLanguage: [String: Int] = [:]
        for group in answer.languages?.first?.groups ?? [] {
            if let lang = group.lang { byLanguage[lang, default: 0] += group.count ?? 0 }
        }
        return GraphSummary(
            repos: answer.repos?.first?.count ?? 0,
            files: answer.files?.first?.count ?? 0,
            filesByLanguage: byLanguage,
            functions: Int(answer.functionTotal?.first?.total ?? 0),
            tables: answer.tables?.first?.count ?? 0,
            containsEdges: Int(answer.containTotal?.first?.total ?? 0),
            referencesEdges: Int(answer.referenceTotal?.first?.total ?? 0))
    }

    public func filesReferencing(table: String) async throws -> [GraphFileNode] {
        let answer = try await query(DgraphDQL.filesReferencing(table: table), as: FilesAnswer.self)
        return Self.nodes(answer.files.flatMap { $0.referencedBy ?? [] })
            .sorted { ($0.repo, $0.path) < ($1.repo, $1.path) }
    }

    public func files(inRepo repo: String) async throws -> [GraphFileNode] {
        let answer = try await query(DgraphDQL.files(inRepo: repo), as: FilesAnswer.self)
        return Self.nodes(answer.files.flatMap { $0.contains ?? [] }).sorted { $0.path < $1.path }
    }

    private func query<T: Decodable & Sendable>(_ text: String, as type: T.Type) async throws -> T {
        try await retrying {
            try await http.post("query", contentType: "application/dql", body: text, as: T.self)
        }
    }

    private static func nodes(_ files: [FileAnswer]) -> [GraphFileNode] {
        files.map { file in
            GraphFileNode(repo: file.repo ?? "", path: file.path ?? "", lang: file.lang ?? "", size: file.size,
                          hash: file.hash, functionCount: file.functionCount,
                          tables: (file.references ?? []).compactMap(\.name).sorted(), error: file.error)
        }
    }

    /// Runs `operation`, retrying transient failures with exponential backoff (backoff, 2×, 4×…).
    private func retrying<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        var delay = backoff
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as GraphStoreError where error.isTransient && attempt < attempts {
                try await Task.sleep(for: delay)
                delay *= 2
                attempt += 1
            }
        }
    }
}

// Dgraph's answers, only the fields the store reads.
private struct AlterAnswer: Decodable, Sendable {}
private struct MutateAnswer: Decodable, Sendable {}

private struct Count: Decodable, Sendable { var count: Int? }
private struct Total: Decodable, Sendable { var total: Double? }
private struct GroupBy: Decodable, Sendable {
    var groups: [Group]?
    struct Group: Decodable, Sendable { var lang: String?; var count: Int? }
    enum CodingKeys: String, CodingKey { case groups = "@groupby" }
}

private struct SummaryAnswer: Decodable, Sendable {
    var repos: [Count]?
    var files: [Count]?
    var languages: [GroupBy]?
    var tables: [Count]?
    var functionTotal: [Total]?
    var referenceTotal: [Total]?
    var containTotal: [Total]?
}

private struct FilesAnswer: Decodable, Sendable {
    var files: [Holder]
    struct Holder: Decodable, Sendable {
        var contains: [FileAnswer]?
        var referencedBy: [FileAnswer]?
        enum CodingKeys: String, CodingKey { case contains, referencedBy = "~references" }
    }
}

private struct FileAnswer: Decodable, Sendable {
    var repo: String?
    var path: String?
    var lang: String?
    var size: Int?
    var hash: String?
    var functionCount: Int?
    var error: String?
    var references: [Name]?
    struct Name: Decodable, Sendable { var name: String? }
    enum CodingKeys: String, CodingKey {
        case repo, path, lang, size, hash, error, references
        case functionCount = "function_count"
    }
}
