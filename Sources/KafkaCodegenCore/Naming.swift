/// Swift identifiers for spec names. Only the first character is lowercased so acronyms stay
/// predictable (`ProducerId` -> `producerId`, `ClusterId` -> `clusterId`).
enum Naming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
        "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
        "try", "Type", "Protocol", "some", "any",
    ]

    static func lowerFirst(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// A property name, backticked when it is a Swift keyword.
    static func property(_ specName: String) -> String {
        escape(lowerFirst(specName))
    }

    static func escape(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// `OFFSET_OUT_OF_RANGE` -> `offsetOutOfRange`.
    static func lowerCamel(fromScreamingSnake name: String) -> String {
        var out = ""
        for (index, part) in name.split(separator: "_").enumerated() {
            let lower = part.lowercased()
            out += index == 0 ? lower : lower.prefix(1).uppercased() + lower.dropFirst()
        }
        return escape(out)
    }

    /// A Swift string literal for arbitrary text.
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Collects indented source lines.
struct SourceBuilder {
    private(set) var lines: [String] = []
    private var depth = 0

    mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text)
    }

    mutating func open(_ text: String) {
        line(text + " {")
        depth += 1
    }

    mutating func close(_ suffix: String = "") {
        depth -= 1
        line("}" + suffix)
    }

    mutating func indent() { depth += 1 }
    mutating func dedent() { depth -= 1 }

    mutating func append(_ other: SourceBuilder) {
        for text in other.lines { lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text) }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}
