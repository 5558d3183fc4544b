/// `repos.ingested`: a repository checkout is ready at `path` (keyed by `repo`).
public struct RepoIngested: Codable, Sendable, Equatable {
    public var repo: String
    public var ref: String
    public var path: String
    public var ts: String

    public init(repo: String, ref: String, path: String, ts: String = Timestamp.now()) {
        self.repo = repo
        self.ref = ref
        self.path = path
        self.ts = ts
    }

    enum CodingKeys: String, CodingKey {
        case repo, ref, path, ts
    }
}

/// `code.mined`: one source file found in a repository. `file` is relative to the checkout root,
/// `hash` the lowercase sha256 hex of its bytes.
public struct CodeMined: Codable, Sendable, Equatable {
    public var repo: String
    public var file: String
    public var lang: Language
    public var size: Int
    public var hash: String
    public var ts: String

    public init(repo: String, file: String, lang: Language, size: Int, hash: String, ts: String = Timestamp.now()) {
        self.repo = repo
        self.file = file
        self.lang = lang
        self.size = size
        self.hash = hash
        self.ts = ts
    }

    enum CodingKeys: String, CodingKey {
        case repo, file, lang, size, hash, ts
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        repo = try c.decode(String.self, forKey: .repo)
        file = try c.decode(String.self, forKey: .file)
        lang = try c.decode(Language.self, forKey: .lang)
        size = try c.decodeWholeNumber(forKey: .size, field: "size")
        hash = try c.decode(String.self, forKey: .hash)
        ts = try c.decode(String.self, forKey: .ts)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an integer via Double: swift-corelibs-foundation reports `1.5` for an Int field as
    /// corrupted data without a coding path, which would hide the field name from the error.
    func decodeWholeNumber(forKey key: Key, field: String) throws -> Int {
        let value = try decode(Double.self, forKey: key)
        guard value.rounded() == value, let whole = Int(exactly: value) else {
            throw MessageDecodingError.invalidField(field, "expected a whole number, got \(value)")
        }
        return whole
    }
}

/// `code.analyzed`: what the analyzer found in one file.
public struct CodeAnalyzed: Codable, Sendable, Equatable {
    public var repo: String
    public var file: String
    public var lang: Language
    public var findings: Findings
    public var ts: String

    public init(repo: String, file: String, lang: Language, findings: Findings, ts: String = Timestamp.now()) {
        self.repo = repo
        self.file = file
        self.lang = lang
        self.findings = findings
        self.ts = ts
    }

    enum CodingKeys: String, CodingKey {
        case repo, file, lang, findings, ts
    }
}
