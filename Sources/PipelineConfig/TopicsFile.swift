/// One topic to create.
public struct TopicSpec: Sendable, Equatable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16
    /// Topic-level configs such as `retention.ms` and `cleanup.policy`, values as strings.
    public var configs: [String: String]

    public init(name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// A topics file that was rejected, with the line at fault.
public struct TopicsFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// The topics file (`config/topics.yaml`):
///
///     topics:
///       - name: code.mined
///         partitions: 6
///         replication_factor: 1
///         configs:
///           retention.ms: "604800000"
///
/// Parsing is strict: unknown keys, missing keys, bad values and duplicate topics are errors
/// naming their line, because a typo here would silently create a misconfigured topic.
public enum TopicsFile {
    public static func parse(_ text: String) throws(TopicsFileError) -> [TopicSpec] {
        let root: YAMLNode
        do {
            root = try MiniYAML.parse(text)
        } catch {
            throw TopicsFileError(line: error.line, message: error.message)
        }
        let top = try mapping(root, "the file")
        try checkKeys(top, allowed: ["topics"], required: ["topics"], line: root.line, what: "the file")
        guard let topics = top.first(where: { $0.key == "topics" }), case .sequence(let items, _) = topics.value else {
            throw TopicsFileError(line: root.line, message: "\"topics\" must be a list")
        }
        var specs: [TopicSpec] = []
        var seen: [String: Int] = [:]
        for item in items {
            let spec = try topic(item)
            if let first = seen[spec.name] {
                throw TopicsFileError(line: item.line, message: "topic \"\(spec.name)\" is already defined on line \(first)")
            }
            seen[spec.name] = item.line
            specs.append(spec)
        }
        return specs
    }

    /// Reads and parses a file.
    public static func load(path: String) throws(TopicsFileError) -> [TopicSpec] {
        guard let text = readText(path) else { throw TopicsFileError(line: 0, message: "cannot read \(path)") }
        return try parse(text)
    }

    private static func topic(_ node: YAMLNode) throws(TopicsFileError) -> TopicSpec {
        let entries = try mapping(node, "a topic")
        try checkKeys(entries, allowed: ["name", "partitions", "replication_factor", "configs"],
                      required: ["name", "partitions", "replication_factor"], line: node.line, what: "a topic")
        var spec = TopicSpec(name: "", partitions: 0, replicationFactor: 0)
        for entry in entries {
            switch entry.key {
            case "name":
                let name = try scalar(entry.value, "name")
                try validateTopicName(name, line: entry.line)
                spec.name = name
            case "partitions":
                guard let n = Int32(try scalar(entry.value, "partitions")), n >= 1 else {
                    throw TopicsFileError(line: entry.line, message: "partitions must be an integer >= 1")
                }
                spec.partitions = n
            case "replication_factor":
                guard let n = Int16(try scalar(entry.value, "replication_factor")), n >= 1 else {
                    throw TopicsFileError(line: entry.line, message: "replication_factor must be an integer >= 1")
                }
                spec.replicationFactor = n
            default: // configs
                if case .scalar("", _) = entry.value { continue }
                for config in try mapping(entry.value, "\"configs\"") {
                    spec.configs[config.key] = try scalar(config.value, config.key)
                }
            }
        }
        return spec
    }

    private static func mapping(_ node: YAMLNode, _ what: String) throws(TopicsFileError) -> [(key: String, value: YAMLNode, line: Int)] {
        guard case .mapping(let entries, _) = node else {
            throw TopicsFileError(line: node.line, message: "\(what) must be a mapping, found \(node.kindName)")
        }
        return entries
    }

    private static func scalar(_ node: YAMLNode, _ key: String) throws(TopicsFileError) -> String {
        guard case .scalar(let value, _) = node else {
            throw TopicsFileError(line: node.line, message: "\"\(key)\" must be a scalar, found \(node.kindName)")
        }
        return value
    }

    private static func checkKeys(_ entries: [(key: String, value: YAMLNode, line: Int)], allowed: Set<String>,
                                  required: [String], line: Int, what: String) throws(TopicsFileError) {
        if let unknown = entries.first(where: { !allowed.contains($0.key) }) {
            throw TopicsFileError(line: unknown.line, message: "unknown key \"\(unknown.key)\" in \(what) (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        for key in required where !entries.contains(where: { $0.key == key }) {
            throw TopicsFileError(line: line, message: "\(what) is missing \"\(key)\"")
        }
    }

    /// Kafka's rule: 1-249 characters from [a-zA-Z0-9._-], and not "." or "..".
    static func validateTopicName(_ name: String, line: Int) throws(TopicsFileError) {
        let legal = name.utf8.allSatisfy { $0.isTopicCharacter }
        guard !name.isEmpty, name.utf8.count <= 249, legal, name != ".", name != ".." else {
            throw TopicsFileError(line: line, message: "invalid topic name \"\(name)\" (1-249 of [a-zA-Z0-9._-])")
        }
    }
}

extension UInt8 {
    fileprivate var isTopicCharacter: Bool {
        (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self)
            || self == UInt8(ascii: ".") || self == UInt8(ascii: "_") || self == UInt8(ascii: "-")
    }
}
