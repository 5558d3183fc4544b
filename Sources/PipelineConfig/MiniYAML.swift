/// A parser for the small YAML subset our config files use: block mappings, block sequences
/// (`- `), plain and quoted scalars, `#` comments, and `{}`/`[]` for empty collections.
/// Anchors, aliases, tags, flow collections with content, multi-line scalars and tabs in
/// indentation are rejected with the line number rather than misread.
indirect enum YAMLNode: Equatable, Sendable {
    case scalar(String, line: Int)
    case mapping([(key: String, value: YAMLNode, line: Int)], line: Int)
    case sequence([YAMLNode], line: Int)

    var line: Int {
        switch self {
        case .scalar(_, let l), .mapping(_, let l), .sequence(_, let l): return l
        }
    }

    var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, l1), .scalar(y, l2)): return x == y && l1 == l2
        case let (.sequence(x, l1), .sequence(y, l2)): return x == y && l1 == l2
        case let (.mapping(x, l1), .mapping(y, l2)):
            return l1 == l2 && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value && $0.line == $1.line }
        default: return false
        }
    }
}

struct YAMLError: Error, Equatable {
    var line: Int
    var message: String
}

struct MiniYAML {
    private struct Line {
        var number: Int
        var indent: Int
        var text: String
    }

    private var lines: [Line] = []
    private var position = 0

    static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        var parser = MiniYAML()
        try parser.load(text)
        guard let first = parser.lines.first else { return .mapping([], line: 1) }
        let node = try parser.block(indent: first.indent)
        if parser.position < parser.lines.count {
            let line = parser.lines[parser.position]
            throw YAMLError(line: line.number, message: "unexpected indentation")
        }
        return node
    }

    private mutating func load(_ text: String) throws(YAMLError) {
        var number = 0
        // "\r\n" is one Character in Swift, so split on any newline rather than on "\n".
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let line = String(raw)
            let stripped = try Self.stripComment(line, number)
            let content = stripped.drop(while: { $0 == " " })
            if content.isEmpty { continue }
            let leading = stripped.prefix(while: { $0 == " " || $0 == "\t" })
            if leading.contains("\t") { throw YAMLError(line: number, message: "tab in indentation") }
            if number == 1 && content == "---" { continue }
            var trimmed = String(content)
            while trimmed.last == " " || trimmed.last == "\t" { trimmed.removeLast() }
            lines.append(Line(number: number, indent: leading.count, text: trimmed))
        }
    }

    /// Removes a `#` comment that starts the line or follows a space, outside quotes.
    private static func stripComment(_ line: String, _ number: Int) throws(YAMLError) -> String {
        var quote: Character?
        var previous: Character = " "
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                if previous == " " || previous == ":" || previous == "-" { quote = c }
            } else if c == "#" && (previous == " " || previous == "\t") {
                return String(line[..<index])
            }
            previous = c
            index = line.index(after: index)
        }
        if quote != nil { throw YAMLError(line: number, message: "unterminated quoted string") }
        return line
    }

    private mutating func block(indent: Int) throws(YAMLError) -> YAMLNode {
        let first = lines[position]
        if first.text == "-" || first.text.hasPrefix("- ") { return try sequence(indent: indent) }
        return try mapping(indent: indent)
    }

    private mutating func sequence(indent: Int) throws(YAMLError) -> YAMLNode {
        let startLine = lines[position].number
        var items: [YAMLNode] = []
        while position < lines.count, lines[position].indent == indent {
            let line = lines[position]
            guard line.text == "-" || line.text.hasPrefix("- ") else { break }
            let rest = line.text.dropFirst(1).drop(while: { $0 == " " })
            if rest.isEmpty {
                position += 1
                guard position < lines.count, lines[position].indent > indent else {
                    throw YAMLError(line: line.number, message: "empty list item")
                }
                items.append(try block(indent: lines[position].indent))
            } else if Self.splitKey(String(rest)) != nil {
                // `- key: value` opens a mapping whose keys line up with `key`.
                let itemIndent = indent + (line.text.count - rest.count)
                lines[position] = Line(number: line.number, indent: itemIndent, text: String(rest))
                items.append(try mapping(indent: itemIndent))
            } else {
                position += 1
                items.append(.scalar(try Self.scalar(String(rest), line.number), line: line.number))
            }
        }
        return .sequence(items, line: startLine)
    }

    private mutating func mapping(indent: Int) throws(YAMLError) -> YAMLNode {
        let startLine = lines[position].number
        var entries: [(key: String, value: YAMLNode, line: Int)] = []
        while position < lines.count, lines[position].indent == indent {
            let line = lines[position]
            guard let (key, value) = Self.splitKey(line.text) else {
                if line.text.hasPrefix("- ") || line.text == "-" { break }
                throw YAMLError(line: line.number, message: "expected \"key: value\"")
            }
            if entries.contains(where: { $0.key == key }) {
                throw YAMLError(line: line.number, message: "duplicate key \"\(key)\"")
            }
            position += 1
            let node: YAMLNode
            if value.isEmpty {
                if position < lines.count, lines[position].indent > indent {
                    node = try block(indent: lines[position].indent)
                } else if position < lines.count, lines[position].indent == indent, lines[position].text.hasPrefix("- ") {
                    node = try sequence(indent: indent) // lists may sit at their key's indentation
                } else {
                    node = .scalar("", line: line.number)
                }
            } else if value == "{}" {
                node = .mapping([], line: line.number)
            } else if value == "[]" {
                node = .sequence([], line: line.number)
            } else {
                node = .scalar(try Self.scalar(value, line.number), line: line.number)
            }
            entries.append((key, node, line.number))
        }
        if position < lines.count, lines[position].indent > indent {
            throw YAMLError(line: lines[position].number, message: "unexpected indentation")
        }
        return .mapping(entries, line: startLine)
    }

    /// `key: value` or `key:`; keys are plain words (letters, digits, `.`, `_`, `-`).
    private static func splitKey(_ text: String) -> (String, String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let after = text.index(after: colon)
        guard after == text.endIndex || text[after] == " " else { return nil }
        let key = String(text[..<colon])
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }) else { return nil }
        return (key, String(text[after...].drop(while: { $0 == " " })))
    }

    private static func scalar(_ text: String, _ line: Int) throws(YAMLError) -> String {
        if let q = text.first, q == "\"" || q == "'" {
            guard text.count >= 2, text.last == q else { throw YAMLError(line: line, message: "unterminated quoted string") }
            let inner = String(text.dropFirst().dropLast())
            if q == "'" { return inner.replacingAll("''", with: "'") }
            guard !inner.contains("\\") else { throw YAMLError(line: line, message: "escape sequences in double-quoted strings are not supported") }
            return inner
        }
        if let c = text.first, "[{&*!|>%@`".contains(c) {
            throw YAMLError(line: line, message: "unsupported YAML syntax \"\(c)\" (use plain or quoted scalars)")
        }
        return text
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
