import Foundation
import Miner

/// A validated `/trigger` request: `repo` (the message key), `path` (resolved inside the allowed
/// roots) and `ref`. Parameters come from the query string, or from a POST body as a form
/// (`application/x-www-form-urlencoded`) or JSON object; unknown or repeated parameters are
/// refused so that a typo never triggers the wrong thing.
public struct TriggerRequest: Sendable, Equatable {
    public var repo: String
    public var path: String
    public var ref: String

    public static let parameterNames: Set<String> = ["repo", "path", "ref"]
    public static let maxFieldLength = 1_024

    /// Validates raw parameters; `path` is resolved with `policy`.
    public static func validate(_ parameters: [(String, String)], policy: PathPolicy) throws(TriggerError) -> TriggerRequest {
        var values: [String: String] = [:]
        for (name, value) in parameters {
            guard parameterNames.contains(name) else { throw .badRequest("unknown parameter \"\(name)\" (expected repo, path, ref)") }
            guard values[name] == nil else { throw .badRequest("parameter \"\(name)\" given twice") }
            guard value.utf8.count <= maxFieldLength else { throw .badRequest("parameter \"\(name)\" is longer than \(maxFieldLength) bytes") }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw .badRequest("parameter \"\(name)\" contains control characters")
            }
            values[name] = value
        }
        guard let repo = values["repo"], !repo.isEmpty else { throw .badRequest("missing parameter \"repo\"") }
        guard let requested = values["path"], !requested.isEmpty else { throw .badRequest("missing parameter \"path\"") }
        let resolved: String
        do {
            resolved = try policy.resolve(requested)
        } catch {
            throw TriggerError(status: error.httpStatus, message: error.description)
        }
        return TriggerRequest(repo: repo, path: resolved, ref: values["ref"] ?? "")
    }

    /// Parameters of a POST body: a JSON object of strings, or a form.
    public static func bodyParameters(_ body: [UInt8], contentType: String?) throws(TriggerError) -> [(String, String)] {
        if body.isEmpty { return [] }
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("application/json") || (type.isEmpty && body.first == UInt8(ascii: "{")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw .badRequest("body is not a JSON object")
            }
            var result: [(String, String)] = []
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let text = value as? String else { throw .badRequest("\"\(key)\" must be a string") }
                result.append((key, text))
            }
            return result
        }
        if type.isEmpty || type.hasPrefix("application/x-www-form-urlencoded") {
            guard let text = String(validating: body, as: UTF8.self) else { throw .badRequest("body is not UTF-8") }
            return try formParameters(text)
        }
        throw TriggerError(status: 415, message: "unsupported content type \(type): use JSON or a form")
    }

    /// Decodes `a=b&c=d` (`+` is a space, `%XX` escapes).
    public static func formParameters(_ text: String) throws(TriggerError) -> [(String, String)] {
        var result: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ")
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            guard let decodedName = name.removingPercentEncoding, let decodedValue = value.removingPercentEncoding else {
                throw .badRequest("malformed percent-encoding in \"\(pair)\"")
            }
            result.append((decodedName, decodedValue))
        }
        return result
    }
}

public struct TriggerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> TriggerError { TriggerError(status: 400, message: message) }

    public var description: String { message }
}
