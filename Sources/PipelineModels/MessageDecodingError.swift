/// Why a message was rejected by strict decoding. The description names the field so that a poison
/// message can be dead-lettered with a reason a human can act on.
public enum MessageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The payload is not a JSON object.
    case notJSONObject(String)
    /// A required field is absent (dotted path, e.g. `findings.functions`).
    case missingField(String)
    /// A field is present but has the wrong type or an unacceptable value.
    case invalidField(String, String)
    /// A field the schema does not define.
    case unexpectedField(String)

    /// The dotted path of the offending field, or nil when the whole payload is at fault.
    public var field: String? {
        switch self {
        case .notJSONObject: return nil
        case .missingField(let f), .invalidField(let f, _), .unexpectedField(let f): return f
        }
    }

    public var description: String {
        switch self {
        case .notJSONObject(let why): return "payload is not a JSON object: \(why)"
        case .missingField(let f): return "missing field \"\(f)\""
        case .invalidField(let f, let why): return "invalid field \"\(f)\": \(why)"
        case .unexpectedField(let f): return "unexpected field \"\(f)\""
        }
    }
}
