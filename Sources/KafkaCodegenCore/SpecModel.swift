/// The parsed form of one Kafka message spec, after validation.

public indirect enum FieldType: Sendable, Equatable {
    case bool, int8, int16, int32, int64, uint16, uint32, float64
    case string, uuid, bytes, records
    case structure(String)
    case array(FieldType)

    /// Parses the spec's type name ("int32", "[]Topic", "CurrentLeader").
    init?(spec: String) {
        if spec.hasPrefix("[]") {
            guard let element = FieldType(spec: String(spec.dropFirst(2))) else { return nil }
            if case .array = element { return nil }
            self = .array(element)
            return
        }
        switch spec {
        case "bool": self = .bool
        case "int8": self = .int8
        case "int16": self = .int16
        case "int32": self = .int32
        case "int64": self = .int64
        case "uint16": self = .uint16
        case "uint32": self = .uint32
        case "float64": self = .float64
        case "string": self = .string
        case "uuid": self = .uuid
        case "bytes": self = .bytes
        case "records": self = .records
        default:
            guard let first = spec.first, first.isUppercase,
                  spec.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
            self = .structure(spec)
        }
    }

    var structName: String? {
        switch self {
        case let .structure(name): return name
        case let .array(element): return element.structName
        default: return nil
        }
    }

    var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint16, .uint32: return true
        default: return false
        }
    }

    /// Types whose null the protocol can express.
    var canBeNull: Bool {
        switch self {
        case .string, .bytes, .records, .array, .structure: return true
        default: return false
        }
    }
}

public struct FieldSpec: Sendable {
    public var name: String
    public var type: FieldType
    public var versions: SpecVersions
    public var nullableVersions: SpecVersions
    /// `.none` for fields that are never tagged.
    public var taggedVersions: SpecVersions
    public var tag: Int?
    public var ignorable: Bool
    /// The spec's "default" text, if any.
    public var defaultValue: String?
    /// Overrides the message's flexible versions for this field's own encoding.
    public var flexibleVersions: SpecVersions?
    public var about: String?
    /// Fields of the struct this field declares inline (empty for primitives and references).
    public var fields: [FieldSpec]

    /// Swift type is Optional: any nullable version, or records (always optional).
    var isOptional: Bool { !nullableVersions.isEmpty || type == .records }
    /// Versions in which the field sits in the tagged section.
    var taggedPresence: SpecVersions { versions.intersection(taggedVersions) }
}

public struct StructSpec: Sendable {
    public var name: String
    public var fields: [FieldSpec]
}

public struct MessageSpec: Sendable {
    /// The spec file name without ".json".
    public var fileName: String
    public var name: String
    /// "request", "response", "header", "data", ...
    public var kind: String
    public var apiKey: Int?
    /// After dropping the highest version when `latestVersionUnstable` is set.
    public var validVersions: SpecVersions
    public var flexibleVersions: SpecVersions
    public var listeners: [String]
    public var fields: [FieldSpec]
    public var commonStructs: [StructSpec]
}
