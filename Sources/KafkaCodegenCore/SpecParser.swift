import Foundation

public struct SpecError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var message: String
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}

/// Turns spec JSON (with `//` comments) into a validated `MessageSpec`. Strict: unknown keys,
/// bad version ranges or types are errors, so a spec change cannot be silently misread.
public enum SpecParser {
    static let messageKeys: Set<String> = [
        "apiKey", "type", "name", "validVersions", "flexibleVersions", "deprecatedVersions",
        "latestVersionUnstable", "listeners", "fields", "commonStructs",
    ]
    static let fieldKeys: Set<String> = [
        "name", "type", "versions", "nullableVersions", "taggedVersions", "tag", "ignorable",
        "default", "about", "entityType", "mapKey", "flexibleVersions", "fields", "zeroCopy",
    ]
    static let commonStructKeys: Set<String> = ["name", "versions", "fields"]

    public static func parse(_ text: String, file: String) throws -> MessageSpec {
        let json = stripComments(text)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw SpecError(file: file, message: "invalid JSON: \(error)")
        }
        guard case let .object(root) = value else {
            throw SpecError(file: file, message: "top level is not an object")
        }
        return try parseMessage(root, file: file)
    }

    /// Removes `//` comments outside string literals.
    public static func stripComments(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        out.reserveCapacity(bytes.count)
        var i = 0
        var inString = false
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                out.append(c)
                if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    out.append(bytes[i + 1])
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
                out.append(c)
            } else if c == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func parseMessage(_ root: [String: JSONValue], file: String) throws -> MessageSpec {
        try checkKeys(root, allowed: messageKeys, file: file, context: "message")
        let name = try string(root, "name", file: file, context: "message")
        let kind = try string(root, "type", file: file, context: name)
        var valid = try versions(root, "validVersions", file: file, context: name)
        let flexible = try versions(root, "flexibleVersions", file: file, context: name)
        if let deprecated = root["deprecatedVersions"] {
            guard case let .string(text) = deprecated, SpecVersions(spec: text) != nil else {
                throw SpecError(file: file, message: "\(name): bad deprecatedVersions")
            }
        }
        var apiKey: Int?
        if let key = root["apiKey"] {
            guard case let .number(number) = key, let value = Int16(exactly: number) else {
                throw SpecError(file: file, message: "\(name): apiKey is not an int16")
            }
            apiKey = Int(value)
        }
        if let unstable = root["latestVersionUnstable"] {
            guard let flag = boolValue(unstable) else {
                throw SpecError(file: file, message: "\(name): latestVersionUnstable is not a bool")
            }
            // The newest version of an unstable api may still change: do not speak it.
            if flag { valid = SpecVersions(valid.lowest, valid.highest - 1) }
        }
        var listeners: [String] = []
        if let raw = root["listeners"] {
            guard case let .array(items) = raw, let list = items.stringList else {
                throw SpecError(file: file, message: "\(name): listeners is not a list of strings")
            }
            listeners = list
        }
        let fields = try parseFields(root["fields"], file: file, context: name)
        var commonStructs: [StructSpec] = []
        if let raw = root["commonStructs"] {
            guard case let .array(items) = raw, let list = items.objectList else {
                throw SpecError(file: file, message: "\(name): commonStructs is not a list of objects")
            }
            for entry in list {
                try checkKeys(entry, allowed: commonStructKeys, file: file, context: "\(name) common struct")
                let structName = try string(entry, "name", file: file, context: "\(name) common struct")
                _ = try versions(entry, "versions", file: file, context: structName)
                let structFields = try parseFields(entry["fields"], file: file, context: structName)
                commonStructs.append(StructSpec(name: structName, fields: structFields))
            }
        }
        return MessageSpec(
            fileName: file, name: name, kind: kind, apiKey: apiKey, validVersions: valid,
            flexibleVersions: flexible, listeners: listeners, fields: fields, commonStructs: commonStructs)
    }

    static func parseFields(_ raw: JSONValue?, file: String, context: String) throws -> [FieldSpec] {
        guard let raw else { throw SpecError(file: file, message: "\(context): missing key 'fields'") }
        guard case let .array(items) = raw, let list = items.objectList else {
            throw SpecError(file: file, message: "\(context): fields is not a list of objects")
        }
        var result: [FieldSpec] = []
        for entry in list { result.append(try parseField(entry, file: file, context: context)) }
        return result
    }

    static func parseField(_ entry: [String: JSONValue], file: String, context: String) throws -> FieldSpec {
        try checkKeys(entry, allowed: fieldKeys, file: file, context: "\(context) field")
        let name = try string(entry, "name", file: file, context: "\(context) field")
        let path = "\(context).\(name)"
        let typeText = try string(entry, "type", file: file, context: path)
        guard let type = FieldType(spec: typeText) else {
            throw SpecError(file: file, message: "\(path): unknown type '\(typeText)'")
        }
        let fieldVersions = try versions(entry, "versions", file: file, context: path)
        var nullable = SpecVersions.none
        if entry["nullableVersions"] != nil {
            nullable = try versions(entry, "nullableVersions", file: file, context: path)
            guard type.canBeNull else {
                throw SpecError(file: file, message: "\(path): type \(typeText) cannot be nullable")
            }
        }
        var tagged = SpecVersions.none
        var tag: Int?
        if entry["tag"] != nil || entry["taggedVersions"] != nil {
            // Some specs write the tag as a string ("0").
            var parsed: Int?
            switch entry["tag"] {
            case let .number(number)?: parsed = Int(exactly: number)
            case let .string(text)?: parsed = Int(text)
            default: parsed = nil
            }
            guard let value = parsed, value >= 0 else {
                throw SpecError(file: file, message: "\(path): tagged field needs a non-negative integer 'tag'")
            }
            tag = value
            tagged = try versions(entry, "taggedVersions", file: file, context: path)
            // Versions outside the tagged ones carry the field in line; that must be one range.
            guard fieldVersions.subtracting(tagged) != nil else {
                throw SpecError(file: file, message: "\(path): taggedVersions split the field's versions")
            }
        }
        var ignorable = false
        if let raw = entry["ignorable"] {
            guard let flag = boolValue(raw) else {
                throw SpecError(file: file, message: "\(path): ignorable is not a bool")
            }
            ignorable = flag
        }
        var defaultValue: String?
        if let raw = entry["default"] {
            switch raw {
            case let .string(text): defaultValue = text
            case let .bool(flag): defaultValue = flag ? "true" : "false"
            case let .number(number):
                guard let integer = Int64(exactly: number) else {
                    throw SpecError(file: file, message: "\(path): default is not an integer")
                }
                defaultValue = String(integer)
            default:
                throw SpecError(file: file, message: "\(path): default is not a string or number")
            }
        }
        var flexible: SpecVersions?
        if entry["flexibleVersions"] != nil {
            flexible = try versions(entry, "flexibleVersions", file: file, context: path)
        }
        var nested: [FieldSpec] = []
        if entry["fields"] != nil {
            guard type.structName != nil else {
                throw SpecError(file: file, message: "\(path): only struct types may declare fields")
            }
            nested = try parseFields(entry["fields"], file: file, context: typeText)
        }
        return FieldSpec(
            name: name, type: type, versions: fieldVersions, nullableVersions: nullable,
            taggedVersions: tagged, tag: tag, ignorable: ignorable, defaultValue: defaultValue,
            flexibleVersions: flexible, about: try optionalString(entry, "about", file: file, context: path),
            fields: nested)
    }

    static func checkKeys(_ object: [String: JSONValue], allowed: Set<String>, file: String, context: String) throws {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw SpecError(file: file, message: "\(context): unknown key '\(key)'")
        }
    }

    static func string(_ object: [String: JSONValue], _ key: String, file: String, context: String) throws -> String {
        guard let raw = object[key] else { throw SpecError(file: file, message: "\(context): missing key '\(key)'") }
        guard case let .string(text) = raw else {
            throw SpecError(file: file, message: "\(context): '\(key)' is not a string")
        }
        return text
    }

    static func optionalString(_ object: [String: JSONValue], _ key: String, file: String, context: String) throws -> String? {
        guard object[key] != nil else { return nil }
        return try string(object, key, file: file, context: context)
    }

    static func versions(_ object: [String: JSONValue], _ key: String, file: String, context: String) throws -> SpecVersions {
        let text = try string(object, key, file: file, context: context)
        guard let range = SpecVersions(spec: text) else {
            throw SpecError(file: file, message: "\(context): bad \(key) '\(text)'")
        }
        return range
    }

    /// JSON booleans only (numbers are not accepted as flags).
    static func boolValue(_ raw: JSONValue) -> Bool? {
        if case let .bool(flag) = raw { return flag }
        return nil
    }
}

/// A JSON document as decoded from a spec; keeps booleans distinct from numbers.
public indirect enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let flag = try? container.decode(Bool.self) { self = .bool(flag); return }
        if let number = try? container.decode(Double.self) { self = .number(number); return }
        if let text = try? container.decode(String.self) { self = .string(text); return }
        if let list = try? container.decode([JSONValue].self) { self = .array(list); return }
        self = .object(try container.decode([String: JSONValue].self))
    }
}

extension Array where Element == JSONValue {
    var stringList: [String]? {
        var out: [String] = []
        for item in self {
            guard case let .string(text) = item else { return nil }
            out.append(text)
        }
        return out
    }

    var objectList: [[String: JSONValue]]? {
        var out: [[String: JSONValue]] = []
        for item in self {
            guard case let .object(object) = item else { return nil }
            out.append(object)
        }
        return out
    }
}
