/// The one error type the codec throws. It says what went wrong, where in the bytes
/// (`offset` from the start of the buffer being decoded), in which field (`path`, outermost
/// first, e.g. `Topics[0].Partitions[2].Records`) and, when known, for which api and version.
public struct KafkaCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Fewer bytes left than the field needs.
        case truncated(needed: Int, available: Int)
        /// A length prefix below -1 (or below 0 where null is impossible).
        case invalidLength(Int64)
        /// A length or count beyond a configured limit (frame size, decompressed size).
        case lengthExceedsLimit(length: Int64, limit: Int64)
        /// A varint longer than its type allows.
        case malformedVarint
        case invalidUTF8
        /// Null where the spec does not allow it in this version.
        case unexpectedNull
        case unknownApiKey(Int16)
        case unsupportedVersion(Int16)
        /// Encoding a non-default value into a version that cannot carry the field.
        case fieldNotInVersion(field: String, version: Int16)
        case crcMismatch(expected: UInt32, computed: UInt32)
        case unknownCompressionCodec(Int)
        case unsupportedMagic(Int8)
        case compression(String)
        case invalidValue(String)
    }

    public var kind: Kind
    public var offset: Int
    public var path: [String]
    public var apiKey: Int16?
    public var apiVersion: Int16?

    public init(_ kind: Kind, offset: Int, path: [String] = [], apiKey: Int16? = nil, apiVersion: Int16? = nil) {
        self.kind = kind
        self.offset = offset
        self.path = path
        self.apiKey = apiKey
        self.apiVersion = apiVersion
    }

    /// The field path as one dotted string; array indices stay attached (`Topics[0].Name`).
    public var fieldPath: String {
        var out = ""
        for part in path {
            if !out.isEmpty && !part.hasPrefix("[") { out += "." }
            out += part
        }
        return out
    }

    public var description: String {
        var where_ = "at byte \(offset)"
        if !path.isEmpty { where_ += ", field \(fieldPath)" }
        if let apiKey {
            where_ += ", api key \(apiKey)"
            if let apiVersion { where_ += " v\(apiVersion)" }
        }
        return "\(kindDescription) (\(where_))"
    }

    public var kindDescription: String {
        switch kind {
        case let .truncated(needed, available): return "truncated: needed \(needed) bytes, \(available) left"
        case let .invalidLength(length): return "invalid length \(length)"
        case let .lengthExceedsLimit(length, limit): return "length \(length) exceeds the limit of \(limit)"
        case .malformedVarint: return "malformed varint (too many continuation bytes)"
        case .invalidUTF8: return "string is not valid UTF-8"
        case .unexpectedNull: return "null where this version does not allow it"
        case let .unknownApiKey(key): return "unknown api key \(key)"
        case let .unsupportedVersion(version): return "unsupported version \(version)"
        case let .fieldNotInVersion(field, version):
            return "field \(field) has a non-default value but version \(version) cannot carry it"
        case let .crcMismatch(expected, computed):
            return "CRC mismatch: stored 0x\(String(expected, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case let .unknownCompressionCodec(codec): return "unknown compression codec \(codec)"
        case let .unsupportedMagic(magic): return "unsupported record batch magic \(magic)"
        case let .compression(message): return "compression: \(message)"
        case let .invalidValue(message): return "invalid value: \(message)"
        }
    }

    /// Returns the error with `component` prepended to its field path. Generated decoders call
    /// this as an error travels outwards, so only failing decodes pay for path building.
    public func within(_ component: String) -> KafkaCodecError {
        var copy = self
        copy.path.insert(component, at: 0)
        return copy
    }

    public func forApi(key: Int16, version: Int16) -> KafkaCodecError {
        var copy = self
        if copy.apiKey == nil { copy.apiKey = key }
        if copy.apiVersion == nil { copy.apiVersion = version }
        return copy
    }
}

extension Error {
    /// Adds a field path component when the error is a codec error; other errors pass unchanged.
    @inlinable
    public func within(_ component: String) -> any Error {
        if let codec = self as? KafkaCodecError { return codec.within(component) }
        return self
    }
}
