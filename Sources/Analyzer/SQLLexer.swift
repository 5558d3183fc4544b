/// SQL tokens that table extraction needs. Comments, whitespace and literals carry no names.
enum SQLToken: Equatable {
    /// Unquoted identifier or keyword, as written.
    case word(String)
    /// Identifier in double quotes, backticks or brackets, quotes removed.
    case quoted(String)
    case dot, comma, openParen, closeParen, semicolon
    /// A Jinja `{{ ... }}` expression; `tables` holds what its `ref()`/`source()` calls name.
    case template(tables: [String])
    /// String or number literal, operator or anything else.
    case other

    var keyword: String? {
        if case .word(let w) = self { return w.lowercased() }
        return nil
    }
}

/// Tokenizes SQL with dbt/Jinja templating. `{% ... %}` statements and `{# ... #}` comments are
/// dropped; `{{ ... }}` becomes one `template` token.
struct SQLLexer {
    private var s: ByteScanner

    init(_ bytes: [UInt8]) { s = ByteScanner(bytes) }

    mutating func tokenize() throws(AnalysisError) -> [SQLToken] {
        var tokens: [SQLToken] = []
        while let token = try next() { tokens.append(token) }
        return tokens
    }

    private mutating func next() throws(AnalysisError) -> SQLToken? {
        while let b = s.peek() {
            let startLine = s.line
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), .lf, .cr, 0x0C:
                s.advance()
            case UInt8(ascii: "-") where s.peek(1) == UInt8(ascii: "-"):
                skipLineComment()
            case UInt8(ascii: "#") where s.peek(1) == UInt8(ascii: " "):
                skipLineComment() // MySQL comment; `#` never starts a name we report
            case UInt8(ascii: "/") where s.peek(1) == UInt8(ascii: "*"):
                try skipBlockComment()
            case UInt8(ascii: "{") where s.peek(1) == UInt8(ascii: "#"):
                try skip(until: "#}", what: "Jinja comment")
            case UInt8(ascii: "{") where s.peek(1) == UInt8(ascii: "%"):
                try skip(until: "%}", what: "Jinja statement")
            case UInt8(ascii: "{") where s.peek(1) == UInt8(ascii: "{"):
                let start = s.index + 2
                try skip(until: "}}", what: "Jinja expression")
                return .template(tables: JinjaRefs.tables(in: Array(s.bytes[start..<(s.index - 2)])))
            case UInt8(ascii: "'"):
                try skipQuoted(UInt8(ascii: "'"), backslashEscapes: false, what: "string literal", line: startLine)
                return .other
            case UInt8(ascii: "\""), UInt8(ascii: "`"):
                return .quoted(try readQuoted(close: b, line: startLine))
            case UInt8(ascii: "["):
                return .quoted(try readQuoted(close: UInt8(ascii: "]"), line: startLine))
            case UInt8(ascii: "$") where isDollarQuoteStart():
                try skipDollarQuoted(line: startLine)
                return .other
            case UInt8(ascii: "."): s.advance(); return .dot
            case UInt8(ascii: ","): s.advance(); return .comma
            case UInt8(ascii: "("): s.advance(); return .openParen
            case UInt8(ascii: ")"): s.advance(); return .closeParen
            case UInt8(ascii: ";"): s.advance(); return .semicolon
            case let c where c.isIdentifierStart:
                let start = s.index
                while let c = s.peek(), c.isIdentifierPart || c == UInt8(ascii: "$") { s.advance() }
                // E'...' (Postgres escape string), N'...', X'...', B'...': a prefixed literal.
                if s.peek() == UInt8(ascii: "'"), s.index - start == 1 {
                    let prefix = s.bytes[start].asciiLowercased
                    if [UInt8(ascii: "e"), UInt8(ascii: "n"), UInt8(ascii: "x"), UInt8(ascii: "b")].contains(prefix) {
                        try skipQuoted(UInt8(ascii: "'"), backslashEscapes: prefix == UInt8(ascii: "e"), what: "string literal", line: startLine)
                        return .other
                    }
                }
                return .word(s.text(start..<s.index))
            case let c where c.isASCIIDigit:
                while let c = s.peek(), c.isIdentifierPart { s.advance() }
                return .other
            default:
                s.advance()
                return .other
            }
        }
        return nil
    }

    private mutating func skipLineComment() {
        while let c = s.peek(), c != .lf, c != .cr { s.advance() }
    }

    /// Block comments nest in PostgreSQL and the SQL standard; nesting is harmless elsewhere.
    private mutating func skipBlockComment() throws(AnalysisError) {
        let startLine = s.line
        var depth = 0
        while !s.atEnd {
            if s.matches("/*") { depth += 1; s.advance(2) }
            else if s.matches("*/") { depth -= 1; s.advance(2); if depth == 0 { return } }
            else { s.advance() }
        }
        throw AnalysisError("unterminated block comment", line: startLine)
    }

    private mutating func skip(until close: String, what: String) throws(AnalysisError) {
        let startLine = s.line
        s.advance(2)
        while !s.atEnd {
            if s.matches(close) { s.advance(close.utf8.count); return }
            s.advance()
        }
        throw AnalysisError("unterminated \(what)", line: startLine)
    }

    /// Skips a literal whose quote is escaped by doubling (and by backslash when asked).
    private mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool, what: String, line: Int) throws(AnalysisError) {
        if s.peek() != quote { s.advance() } // the E/N/X/B prefix
        s.advance()
        while let c = s.peek() {
            if backslashEscapes && c == UInt8(ascii: "\\") { s.advance(2); continue }
            s.advance()
            if c == quote {
                if s.peek() == quote { s.advance(); continue }
                return
            }
        }
        throw AnalysisError("unterminated \(what)", line: line)
    }

    private mutating func readQuoted(close: UInt8, line: Int) throws(AnalysisError) -> String {
        s.advance()
        var bytes: [UInt8] = []
        while let c = s.peek() {
            s.advance()
            if c == close {
                if s.peek() == close { bytes.append(c); s.advance(); continue }
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes.append(c)
        }
        throw AnalysisError("unterminated quoted identifier", line: line)
    }

    /// `$$` or `$tag$` (PostgreSQL dollar quoting); `$1` parameters are not quotes.
    private func isDollarQuoteStart() -> Bool {
        var i = 1
        while let c = s.peek(i) {
            if c == UInt8(ascii: "$") { return true }
            if !(c.isIdentifierPart) || (i == 1 && c.isASCIIDigit) { return false }
            i += 1
        }
        return false
    }

    private mutating func skipDollarQuoted(line: Int) throws(AnalysisError) {
        let start = s.index
        s.advance()
        while let c = s.peek(), c != UInt8(ascii: "$") { s.advance() }
        s.advance()
        let tag = s.text(start..<s.index)
        while !s.atEnd {
            if s.matches(tag) { s.advance(tag.utf8.count); return }
            s.advance()
        }
        throw AnalysisError("unterminated dollar-quoted string", line: line)
    }
}
