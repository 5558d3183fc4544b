/// Finds the tables a SQL file reads or writes: targets of FROM (including DELETE FROM and
/// comma lists), JOIN, INTO (INSERT, MERGE, SELECT INTO), UPDATE, MERGE, USING, TRUNCATE and
/// TABLE/VIEW (CREATE, ALTER, DROP). Names keep their qualification (`db.schema.t`) and case,
/// with quotes removed. CTE names, derived tables and table functions are not tables. dbt's
/// `{{ ref() }}` and `{{ source() }}` count wherever they appear, as they do for dbt's own DAG.
public enum SQLAnalyzer {
    public static func tables(in source: String) throws(AnalysisError) -> [String] {
        try tables(in: Array(source.utf8))
    }

    /// Sorted, unique table names; `bytes` must be UTF-8.
    public static func tables(in bytes: [UInt8]) throws(AnalysisError) -> [String] {
        var lexer = SQLLexer(bytes)
        let tokens = try lexer.tokenize()
        var found = Set<String>()
        for token in tokens {
            if case .template(let tables) = token { found.formUnion(tables) }
        }
        for statement in tokens.split(separator: .semicolon) {
            found.formUnion(StatementScanner(Array(statement)).tables())
        }
        return found.sorted()
    }
}

/// Scans one statement. Parsing here only looks ahead and records names; the main loop still
/// visits every token, so FROM clauses inside subqueries and CTE bodies are found too.
struct StatementScanner {
    let t: [SQLToken]
    /// For each `(`, the index of its `)` (or `t.count` when unbalanced); computed once so that
    /// deeply nested input stays linear.
    private let closing: [Int]

    init(_ tokens: [SQLToken]) {
        t = tokens
        var closing = [Int](repeating: tokens.count, count: tokens.count)
        var open: [Int] = []
        for (i, token) in tokens.enumerated() {
            if token == .openParen { open.append(i) }
            if token == .closeParen, let o = open.popLast() { closing[o] = i }
        }
        self.closing = closing
    }

    func tables() -> Set<String> {
        let ctes = cteNames()
        var names: [String] = []
        var parens: [Bool] = [] // true where the parenthesis belongs to EXTRACT(x FROM y) and kin
        // Per nesting level: inside a FROM clause, where a comma starts another table even after
        // a join condition (FROM a JOIN b ON a.id = b.id, c).
        var inFromClause = [false]
        for i in t.indices {
            switch t[i] {
            case .openParen:
                parens.append(i > 0 && t[i - 1].keyword.map(Self.fromTakingFunctions.contains) == true)
                inFromClause.append(false)
            case .closeParen:
                _ = parens.popLast()
                if inFromClause.count > 1 { inFromClause.removeLast() }
            case .comma where inFromClause[inFromClause.count - 1]:
                names += items(from: i + 1, Rule(list: true, parenIsFunction: true))
            case .word where i > 0 && t[i - 1] == .dot:
                continue // a column or name part that happens to be a keyword: t.from, s.select
            case .word(let word):
                if Self.clauseEnds.contains(word.lowercased()) { inFromClause[inFromClause.count - 1] = false }
                guard let rule = rule(at: i, insideFromFunction: parens.last == true) else { continue }
                if t[i].keyword == "from" { inFromClause[inFromClause.count - 1] = true }
                names += items(from: i + 1, rule)
            default:
                continue
            }
        }
        return Set(names.filter { $0.contains(".") || !ctes.contains($0.lowercased()) })
    }

    struct Rule {
        /// More items may follow after a comma (FROM a, b).
        var list = false
        /// `name(` is a table function (FROM) rather than a column list (INSERT INTO t (a, b)).
        var parenIsFunction = false
        var aliases = true
    }

    /// What the keyword at `i` introduces, if it introduces table names.
    private func rule(at i: Int, insideFromFunction: Bool) -> Rule? {
        guard let k = t[i].keyword else { return nil }
        let previous = i > 0 ? t[i - 1].keyword : nil
        let next = i + 1 < t.count ? t[i + 1].keyword : nil
        switch k {
        case "from":
            // EXTRACT(YEAR FROM ts), SUBSTRING(s FROM 2), a IS DISTINCT FROM b: not tables.
            if insideFromFunction || previous == "distinct" { return nil }
            return Rule(list: true, parenIsFunction: true)
        case "join", "apply":
            return Rule(parenIsFunction: true)
        case "using":
            return Rule(parenIsFunction: true) // MERGE ... USING src; DELETE ... USING t. JOIN USING (col) has no name.
        case "into", "update", "overwrite":
            return Rule(aliases: k == "update")
        case "merge" where next != "into":
            return Rule()
        case "truncate" where next != "table":
            return Rule(list: true, aliases: false)
        case "table", "view":
            return Rule(list: previous == "truncate" || previous == "drop" && k == "table", aliases: false)
        default:
            return nil
        }
    }

    /// Table names of the items starting at `start`.
    private func items(from start: Int, _ rule: Rule) -> [String] {
        var names: [String] = []
        var i = start
        while i < t.count {
            while let k = t[i].keyword, Self.modifiers.contains(k) {
                i += 1
                if i >= t.count { return names }
            }
            switch t[i] {
            case .openParen:
                i = matchingParen(i) + 1 // derived table or parenthesized join: no name of its own
            case .template:
                i += 1
            case .word, .quoted:
                guard let (name, end) = qualifiedName(at: i) else { return names }
                i = end
                if i < t.count, t[i] == .openParen {
                    if rule.parenIsFunction { i = matchingParen(i) + 1 } else { names.append(name); return names }
                } else {
                    names.append(name)
                }
            default:
                return names
            }
            if rule.aliases { i = skipAlias(i) }
            guard rule.list, i < t.count, t[i] == .comma else { return names }
            i += 1
        }
        return names
    }

    /// A dotted name starting at `i` and the index after it; nil for keywords.
    private func qualifiedName(at i: Int) -> (String, Int)? {
        guard let first = part(t[i], allowKeyword: false) else { return nil }
        var parts = [first]
        var j = i + 1
        while j + 1 < t.count, t[j] == .dot, let next = part(t[j + 1], allowKeyword: true) {
            parts.append(next)
            j += 2
        }
        return (parts.joined(separator: "."), j)
    }

    private func part(_ token: SQLToken, allowKeyword: Bool) -> String? {
        switch token {
        case .quoted(let name): return name
        case .word(let word) where allowKeyword || !Self.reserved.contains(word.lowercased()): return word
        default: return nil
        }
    }

    /// Skips `[AS] alias [(columns)]`.
    private func skipAlias(_ start: Int) -> Int {
        var i = start
        if i < t.count, t[i].keyword == "as" { i += 1 }
        if i < t.count, part(t[i], allowKeyword: false) != nil { i += 1 }
        if i < t.count, t[i] == .openParen, i > start { i = matchingParen(i) + 1 }
        return i
    }

    private func matchingParen(_ open: Int) -> Int { closing[open] }

    /// Lowercased names defined by `WITH [RECURSIVE] a [(cols)] AS [NOT] [MATERIALIZED] (...), b AS (...)`.
    private func cteNames() -> Set<String> {
        var names = Set<String>()
        for i in t.indices where t[i].keyword == "with" {
            var j = i + 1
            if j < t.count, t[j].keyword == "recursive" { j += 1 }
            while j < t.count, let name = part(t[j], allowKeyword: false) {
                j += 1
                if j < t.count, t[j] == .openParen { j = matchingParen(j) + 1 }
                guard j < t.count, t[j].keyword == "as" else { break }
                j += 1
                while j < t.count, let k = t[j].keyword, k == "not" || k == "materialized" { j += 1 }
                guard j < t.count, t[j] == .openParen else { break }
                names.insert(name.lowercased())
                j = matchingParen(j) + 1
                guard j < t.count, t[j] == .comma else { break }
                j += 1
            }
        }
        return names
    }

    /// Words between a table keyword and the name: `FROM ONLY t`, `JOIN LATERAL f()`,
    /// `CREATE TABLE IF NOT EXISTS t`, `INSERT INTO TABLE t`.
    static let modifiers: Set<String> = ["only", "lateral", "if", "not", "exists"]

    /// Keywords that end a FROM clause.
    static let clauseEnds: Set<String> = [
        "where", "group", "having", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except",
        "minus", "window", "qualify", "select", "set", "returning", "values", "into", "connect", "start",
    ]

    /// Functions whose arguments use FROM as a separator.
    static let fromTakingFunctions: Set<String> = ["extract", "substring", "substr", "trim", "overlay"]

    /// Words that end a table item and cannot be an unquoted table name or alias.
    static let reserved: Set<String> = [
        "select", "from", "where", "join", "inner", "left", "right", "full", "outer", "cross", "natural",
        "on", "using", "group", "order", "having", "limit", "offset", "union", "intersect", "except", "minus",
        "window", "qualify", "set", "values", "as", "with", "lateral", "fetch", "for", "into", "returning",
        "when", "then", "else", "end", "and", "or", "not", "case", "is", "null", "in", "between", "like",
        "ilike", "distinct", "all", "exists", "table", "view", "if", "only", "do", "of", "default", "by",
        "partition", "tablesample", "pivot", "unpivot", "straight_join", "apply", "semi", "anti", "asof",
        "cascade", "restrict", "nothing", "matched", "insert", "update", "delete", "merge", "truncate",
        "create", "alter", "drop", "overwrite",
    ]
}
