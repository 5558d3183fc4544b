/// Source languages the pipeline analyzes. The raw value is the `lang` field on the wire.
public enum Language: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case python
    case sql

    /// The language of a file by its extension (case-insensitive), or nil for files the pipeline ignores.
    public init?(path: String) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "py": self = .python
        case "sql": self = .sql
        default: return nil
        }
    }
}
