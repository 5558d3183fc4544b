/// The `findings` object of `code.analyzed`. Exactly one shape per message:
/// python `{"functions": N, "function_names": [...]}`, sql `{"tables": [...]}`,
/// or `{"error": "..."}` when the file could not be analyzed (a finding, not a crash).
public enum Findings: Codable, Sendable, Equatable {
    case python(functionNames: [String])
    case sql(tables: [String])
    case error(String)

    /// Number of functions for python findings (always `functionNames.count`), else nil.
    public var functionCount: Int? {
        if case .python(let names) = self { return names.count }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case functions
        case functionNames = "function_names"
        case tables
        case error
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let present = c.allKeys.map(\.stringValue).sorted()
        if c.contains(.error) {
            guard present == ["error"] else { throw MessageDecodingError.invalidField("findings", "error findings carry only \"error\", found \(present)") }
            self = .error(try c.decode(String.self, forKey: .error))
        } else if c.contains(.tables) {
            guard present == ["tables"] else { throw MessageDecodingError.invalidField("findings", "sql findings carry only \"tables\", found \(present)") }
            self = .sql(tables: try c.decode([String].self, forKey: .tables))
        } else if c.contains(.functions) || c.contains(.functionNames) {
            guard c.contains(.functions) else { throw MessageDecodingError.missingField("findings.functions") }
            guard c.contains(.functionNames) else { throw MessageDecodingError.missingField("findings.function_names") }
            let count = try c.decodeWholeNumber(forKey: .functions, field: "findings.functions")
            let names = try c.decode([String].self, forKey: .functionNames)
            guard count == names.count else {
                throw MessageDecodingError.invalidField("findings.functions", "\(count) but function_names has \(names.count) entries")
            }
            self = .python(functionNames: names)
        } else {
            throw MessageDecodingError.invalidField("findings", "expected one of \"functions\", \"tables\" or \"error\", found \(present)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .python(let names):
            try c.encode(names.count, forKey: .functions)
            try c.encode(names, forKey: .functionNames)
        case .sql(let tables):
            try c.encode(tables, forKey: .tables)
        case .error(let message):
            try c.encode(message, forKey: .error)
        }
    }
}
