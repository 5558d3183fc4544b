/// Finds Python function definitions with a small tokenizer: strings (every prefix, triple
/// quotes, f-strings with nested expressions) and comments are skipped, so only a real `def`
/// keyword followed by a name counts. Because `def` is a hard keyword, every such pair outside
/// strings and comments is a definition: module functions, methods, nested and `async def`.
public enum PythonAnalyzer {
    /// Names of all functions in source order.
    public static func functionNames(in source: String) throws(AnalysisError) -> [String] {
        try functionNames(in: Array(source.utf8))
    }

    /// Names of all functions in source order; `bytes` must be UTF-8.
    public static func functionNames(in bytes: [UInt8]) throws(AnalysisError) -> [String] {
        var lexer = PythonLexer(bytes)
        var names: [String] = []
        var afterDef = false
        while let token = try lexer.next() {
            if case .name(let name) = token {
                if afterDef { names.append(name) }
                afterDef = name == "def"
            } else {
                afterDef = false
            }
        }
        return names
    }
}

/// The only distinctions function counting needs: names versus everything else.
enum PythonToken: Equatable {
    case name(String)
    case other
}

struct PythonLexer {
    private var s: ByteScanner
    /// f-strings nest through recursion; bound it so hostile input cannot exhaust the stack.
    private var depth = 0
    static let maxNesting = 64

    init(_ bytes: [UInt8]) { s = ByteScanner(bytes) }

    /// Next significant token; whitespace, line continuations and comments are skipped.
    mutating func next() throws(AnalysisError) -> PythonToken? {
        while let b = s.peek() {
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), .lf, .cr, 0x0C, UInt8(ascii: "\\"):
                s.advance()
            case UInt8(ascii: "#"):
                while let c = s.peek(), c != .lf, c != .cr { s.advance() }
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                try skipString(prefix: "")
                return .other
            case let c where c.isIdentifierStart:
                let start = s.index
                while let c = s.peek(), c.isIdentifierPart { s.advance() }
                let word = s.text(start..<s.index)
                if let q = s.peek(), q == UInt8(ascii: "'") || q == UInt8(ascii: "\""),
                   Self.stringPrefixes.contains(word.lowercased()) {
                    try skipString(prefix: word.lowercased())
                    return .other
                }
                return .name(word)
            case let c where c.isASCIIDigit:
                // Numbers, including forms like 1_000, 0x1F, 1e-5 and 3j; none can hide a `def`.
                while let c = s.peek(), c.isIdentifierPart || c == UInt8(ascii: ".") { s.advance() }
                return .other
            default:
                s.advance()
                return .other
            }
        }
        return nil
    }

    /// Prefixes that may precede a quote: raw, bytes, unicode, f-strings and 3.14 t-strings.
    static let stringPrefixes: Set<String> = [
        "r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt",
    ]

    /// Skips a string literal starting at the opening quote.
    private mutating func skipString(prefix: String) throws(AnalysisError) {
        guard let quote = s.peek() else { return }
        let startLine = s.line
        let triple = s.peek(1) == quote && s.peek(2) == quote
        s.advance(triple ? 3 : 1)
        let formatted = prefix.contains("f") || prefix.contains("t")
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxNesting else { throw AnalysisError("strings nested too deeply", line: startLine) }
        try skipStringBody(quote: quote, triple: triple, formatted: formatted, startLine: startLine)
    }

    /// Consumes up to and including the closing quote. In f-strings, `{...}` replacement fields
    /// are lexed as code because since Python 3.12 they may contain strings with the same quote.
    private mutating func skipStringBody(quote: UInt8, triple: Bool, formatted: Bool, startLine: Int) throws(AnalysisError) {
        while let c = s.peek() {
            if c == UInt8(ascii: "\\") {
                s.advance(2)
            } else if c == quote {
                if !triple { s.advance(); return }
                if s.peek(1) == quote && s.peek(2) == quote { s.advance(3); return }
                s.advance()
            } else if !triple && (c == .lf || c == .cr) {
                throw AnalysisError("unterminated string", line: startLine)
            } else if formatted && c == UInt8(ascii: "{") {
                if s.peek(1) == UInt8(ascii: "{") { s.advance(2); continue }
                s.advance()
                try skipReplacementField(startLine: startLine)
            } else {
                s.advance()
            }
        }
        throw AnalysisError("unterminated string", line: startLine)
    }

    /// Skips an f-string replacement field after its `{`: an expression (with nested strings and
    /// brackets), then an optional `!conversion` and `:format spec` that may nest more fields.
    private mutating func skipReplacementField(startLine: Int) throws(AnalysisError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxNesting else { throw AnalysisError("f-string fields nested too deeply", line: startLine) }
        var brackets = 0
        while let c = s.peek() {
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                try skipString(prefix: "")
            case let c where c.isIdentifierStart:
                let start = s.index
                while let c = s.peek(), c.isIdentifierPart { s.advance() }
                let word = s.text(start..<s.index).lowercased()
                if let q = s.peek(), q == UInt8(ascii: "'") || q == UInt8(ascii: "\""),
                   Self.stringPrefixes.contains(word) {
                    try skipString(prefix: word)
                }
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                brackets += 1
                s.advance()
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                brackets -= 1
                s.advance()
            case UInt8(ascii: "}"):
                s.advance()
                if brackets == 0 { return }
                brackets -= 1
            case UInt8(ascii: ":") where brackets == 0:
                s.advance()
                try skipFormatSpec(startLine: startLine)
                return
            case UInt8(ascii: "!") where brackets == 0 && s.peek(1) != UInt8(ascii: "="):
                s.advance()
            default:
                s.advance()
            }
        }
        throw AnalysisError("unterminated f-string replacement field", line: startLine)
    }

    /// Skips a format spec up to the `}` closing its field; nested `{...}` fields are code again.
    private mutating func skipFormatSpec(startLine: Int) throws(AnalysisError) {
        while let c = s.peek() {
            s.advance()
            if c == UInt8(ascii: "}") { return }
            if c == UInt8(ascii: "{") { try skipReplacementField(startLine: startLine) }
        }
        throw AnalysisError("unterminated f-string format spec", line: startLine)
    }
}
