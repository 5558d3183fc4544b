import PipelineModels

/// The DQL and RDF text the Dgraph store sends: the schema, one upsert block per file, and the
/// read queries. Pure string building, so tests can read exactly what goes on the wire.
///
/// Every node carries a stable `xid` (`repo:NAME`, `file:REPO/PATH`, `table:NAME`) indexed
/// `exact` and marked `@upsert`, so Dgraph checks conflicts on it and two writers creating the
/// same node cannot both commit: one aborts and retries, then finds the other's node.
enum DgraphDQL {
    static let schema = """
        xid: string @index(exact) @upsert .
        name: string @index(exact) .
        repo: string @index(exact) .
        path: string .
        lang: string @index(exact) .
        size: int .
        hash: string .
        function_count: int .
        error: string .
        contains: [uid] @reverse @count .
        references: [uid] @reverse @count .

        type Repo {
            xid
            name
            contains
        }
        type File {
            xid
            repo
            path
            lang
            size
            hash
            function_count
            error
            references
        }
        type Table {
            xid
            name
        }
        """

    static func repoID(_ repo: String) -> String { "repo:\(repo)" }
    static func fileID(_ repo: String, _ path: String) -> String { "file:\(repo)/\(path)" }
    static func tableID(_ table: String) -> String { "table:\(table)" }

    /// One upsert block for `file`: the query finds the repo, file and table nodes by `xid` (an
    /// empty variable makes `uid(v)` a new node, a found one reuses it, so replays add nothing)
    /// and the file's table edges that the new findings no longer name; the mutation sets every
    /// node and edge and deletes the stale edges and the fields the new findings do not carry.
    static func upsert(_ file: GraphFile) -> String {
        let tables: [String]
        var error: String?
        switch file.findings {
        case .python: tables = []
        case .sql(let names): tables = Array(Set(names)).sorted()
        case .error(let message): tables = []; error = message
        }
        let fileID = literal(fileID(file.repo, file.path))
        let staleFilter = tables.isEmpty
            ? ""
            : " @filter(NOT eq(xid, [\(tables.map { literal(tableID($0)) }.joined(separator: ", "))]))"

        var query = [
            "    r as var(func: eq(xid, \(literal(repoID(file.repo)))))",
            "    f as var(func: eq(xid, \(fileID))) {",
            "      stale as references\(staleFilter)",
            "    }",
        ]
        var set = [
            "uid(r) <xid> \(literal(repoID(file.repo))) .",
            "uid(r) <dgraph.type> \"Repo\" .",
            "uid(r) <name> \(literal(file.repo)) .",
            "uid(r) <contains> uid(f) .",
            "uid(f) <xid> \(fileID) .",
            "uid(f) <dgraph.type> \"File\" .",
            "uid(f) <repo> \(literal(file.repo)) .",
            "uid(f) <path> \(literal(file.path)) .",
            "uid(f) <lang> \(literal(file.lang.rawValue)) .",
        ]
        var delete = ["uid(f) <references> uid(stale) ."]
        let optionals: [(String, String?)] = [
            ("size", file.size.map { "\"\($0)\"^^<xs:int>" }),
            ("hash", file.hash.map(literal)),
            ("function_count", file.findings.functionCount.map { "\"\($0)\"^^<xs:int>" }),
            ("error", error.map(literal)),
        ]
        for (predicate, value) in optionals {
            if let value {
                set.append("uid(f) <\(predicate)> \(value) .")
            } else {
                delete.append("uid(f) <\(predicate)> * .")
            }
        }
        for (index, table) in tables.enumerated() {
            let variable = "t\(index)"
            query.append("    \(variable) as var(func: eq(xid, \(literal(tableID(table)))))")
            set += [
                "uid(\(variable)) <xid> \(literal(tableID(table))) .",
                "uid(\(variable)) <dgraph.type> \"Table\" .",
                "uid(\(variable)) <name> \(literal(table)) .",
                "uid(f) <references> uid(\(variable)) .",
            ]
        }
        return """
            upsert {
              query {
            \(query.joined(separator: "\n"))
              }
              mutation {
                set {
            \(set.map { "      " + $0 }.joined(separator: "\n"))
                }
                delete {
            \(delete.map { "      " + $0 }.joined(separator: "\n"))
                }
              }
            }
            """
    }

    static let fileFields = "repo path lang size hash function_count error references { name }"

    static func files(inRepo repo: String) -> String {
        "{ files(func: eq(xid, \(literal(repoID(repo))))) { contains { \(fileFields) } } }"
    }

    static func filesReferencing(table: String) -> String {
        "{ files(func: eq(xid, \(literal(tableID(table))))) { ~references { \(fileFields) } } }"
    }

    /// Counts for `GraphSummary`. Tables count only while referenced (a re-analysis may leave a
    /// Table node without edges; the SQLite store deletes such nodes).
    static let summary = """
        {
          repos(func: type(Repo)) { count(uid) }
          files(func: type(File)) { count(uid) }
          languages(func: type(File)) @groupby(lang) { count(uid) }
          tables(func: gt(count(~references), 0)) { count(uid) }
          var(func: type(File)) { fc as function_count rc as count(references) }
          var(func: type(Repo)) { cc as count(contains) }
          functionTotal() { total: sum(val(fc)) }
          referenceTotal() { total: sum(val(rc)) }
          containTotal() { total: sum(val(cc)) }
        }
        """

    /// A quoted DQL/RDF string literal: backslash, quote and control characters escaped.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
