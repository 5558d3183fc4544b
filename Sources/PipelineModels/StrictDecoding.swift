import Foundation

/// A pipeline message with a fixed set of top-level keys and value rules beyond JSON types.
public protocol PipelineMessage: Codable, Sendable, Equatable {
    /// Exactly the top-level JSON keys of the schema.
    static var fieldNames: Set<String> { get }
    /// Checks values the type system cannot (timestamps, hashes, sizes, empty strings).
    func validate() throws(MessageDecodingError)
}

extension PipelineMessage {
    /// Decodes `data`, rejecting unknown keys, missing keys, wrong types and invalid values with a
    /// `MessageDecodingError` that names the field.
    public static func decodeStrict(from data: Data) throws(MessageDecodingError) -> Self {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw .notJSONObject("not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else { throw .notJSONObject("top-level value is not an object") }
        if let extra = dictionary.keys.filter({ !fieldNames.contains($0) }).sorted().first {
            throw .unexpectedField(extra)
        }
        let value: Self
        do {
            value = try JSONDecoder().decode(Self.self, from: data)
        } catch let error as MessageDecodingError {
            throw error
        } catch let error as DecodingError {
            throw MessageDecodingError(error)
        } catch {
            throw .notJSONObject(String(describing: error))
        }
        try value.validate()
        return value
    }

    /// Encodes with sorted keys and unescaped slashes so that equal messages give equal bytes.
    public func encodeJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension MessageDecodingError {
    /// Maps Foundation's decoding error onto the field it concerns.
    init(_ error: DecodingError) {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            let joined = all.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .missingField(path(context.codingPath, key))
        case .valueNotFound(_, let context):
            self = .invalidField(path(context.codingPath), "null is not allowed")
        case .typeMismatch(let type, let context):
            self = .invalidField(path(context.codingPath), "expected \(type)")
        case .dataCorrupted(let context):
            self = context.codingPath.isEmpty
                ? .notJSONObject(context.debugDescription)
                : .invalidField(path(context.codingPath), context.debugDescription)
        @unknown default:
            self = .notJSONObject(String(describing: error))
        }
    }
}

/// Shared value rules.
enum Check {
    static func nonEmpty(_ value: String, _ field: String) throws(MessageDecodingError) {
        if value.isEmpty { throw .invalidField(field, "must not be empty") }
    }

    static func timestamp(_ value: String, _ field: String = "ts") throws(MessageDecodingError) {
        if !Timestamp.isValid(value) {
            throw .invalidField(field, "expected ISO-8601 UTC like 2026-11-23T14:01:51Z, got \"\(value)\"")
        }
    }

    static func sha256Hex(_ value: String, _ field: String = "hash") throws(MessageDecodingError) {
        let ok = value.utf8.count == 64 && value.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        if !ok { throw .invalidField(field, "expected 64 lowercase hex digits (sha256)") }
    }

    /// A path relative to the repository root that cannot climb out of it.
    static func relativePath(_ value: String, _ field: String = "file") throws(MessageDecodingError) {
        try nonEmpty(value, field)
        if value.hasPrefix("/") { throw .invalidField(field, "must be relative to the repository root") }
        if value.split(separator: "/").contains("..") { throw .invalidField(field, "must not contain \"..\"") }
    }
}

extension RepoIngested: PipelineMessage {
    public static let fieldNames: Set<String> = ["repo", "ref", "path", "ts"]
    public func validate() throws(MessageDecodingError) {
        try Check.nonEmpty(repo, "repo")
        try Check.nonEmpty(path, "path")
        try Check.timestamp(ts)
    }
}

extension CodeMined: PipelineMessage {
    public static let fieldNames: Set<String> = ["repo", "file", "lang", "size", "hash", "ts"]
    public func validate() throws(MessageDecodingError) {
        try Check.nonEmpty(repo, "repo")
        try Check.relativePath(file)
        if size < 0 { throw .invalidField("size", "must not be negative") }
        try Check.sha256Hex(hash)
        try Check.timestamp(ts)
    }
}

extension CodeAnalyzed: PipelineMessage {
    public static let fieldNames: Set<String> = ["repo", "file", "lang", "findings", "ts"]
    public func validate() throws(MessageDecodingError) {
        try Check.nonEmpty(repo, "repo")
        try Check.relativePath(file)
        switch (lang, findings) {
        case (.python, .sql), (.sql, .python):
            throw .invalidField("findings", "shape does not match lang \"\(lang.rawValue)\"")
        default:
            break
        }
        try Check.timestamp(ts)
    }
}
