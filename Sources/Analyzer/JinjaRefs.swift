/// Reads dbt's `ref()` and `source()` calls out of a Jinja expression:
/// `ref('x')` and `ref('pkg', 'x')` name `x` (a `v=`/`version=` keyword is ignored);
/// `source('s', 't')` names `s.t`. Calls whose arguments are not string literals are skipped:
/// their target is only known when dbt renders the template.
enum JinjaRefs {
    static func tables(in bytes: [UInt8]) -> [String] {
        var tables: [String] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i].isIdentifierStart, i == 0 || !bytes[i - 1].isIdentifierPart && bytes[i - 1] != UInt8(ascii: ".") else {
                if bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "\"") { i = skipString(bytes, i) } else { i += 1 }
                continue
            }
            let start = i
            while i < bytes.count, bytes[i].isIdentifierPart { i += 1 }
            let name = String(decoding: bytes[start..<i], as: UTF8.self)
            guard name == "ref" || name == "source" else { continue }
            var j = skipSpaces(bytes, i)
            guard j < bytes.count, bytes[j] == UInt8(ascii: "(") else { continue }
            j += 1
            guard let args = positionalStrings(bytes, &j) else { continue }
            i = j
            switch (name, args.count) {
            case ("ref", 1), ("ref", 2): tables.append(args[args.count - 1])
            case ("source", 2): tables.append(args.joined(separator: "."))
            default: break
            }
        }
        return tables
    }

    /// Positional string arguments up to `)`, or nil when one is not a plain string literal.
    private static func positionalStrings(_ b: [UInt8], _ i: inout Int) -> [String]? {
        var args: [String] = []
        while true {
            i = skipSpaces(b, i)
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: ")") { i += 1; return args }
            if b[i] == UInt8(ascii: "'") || b[i] == UInt8(ascii: "\"") {
                let end = skipString(b, i)
                guard end <= b.count, end - i >= 2 else { return nil }
                args.append(String(decoding: b[(i + 1)..<(end - 1)], as: UTF8.self))
                i = end
            } else if b[i].isIdentifierStart {
                // Keyword argument such as v=2 or version=2: skip to the next comma or `)`.
                var depth = 0
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "(") { depth += 1 }
                    if c == UInt8(ascii: ")") { if depth == 0 { break }; depth -= 1 }
                    if c == UInt8(ascii: ","), depth == 0 { break }
                    i += 1
                }
                guard !args.isEmpty else { return nil }
            } else {
                return nil
            }
            i = skipSpaces(b, i)
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
    }

    private static func skipSpaces(_ b: [UInt8], _ i: Int) -> Int {
        var i = i
        while i < b.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), .lf, .cr].contains(b[i]) { i += 1 }
        return i
    }

    /// Index just past the string literal starting at `i` (backslash escapes as in Jinja).
    private static func skipString(_ b: [UInt8], _ i: Int) -> Int {
        let quote = b[i]
        var j = i + 1
        while j < b.count {
            if b[j] == UInt8(ascii: "\\") { j += 2; continue }
            if b[j] == quote { return j + 1 }
            j += 1
        }
        return b.count + 1
    }
}
