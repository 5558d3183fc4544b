import Foundation
import Testing
import PipelineModels

@Suite("Message schemas")
struct ModelsTests {
    static let hash = String(repeating: "ab", count: 32)

    private func json(_ message: some PipelineMessage) throws -> String {
        String(decoding: try message.encodeJSON(), as: UTF8.self)
    }

    @Test func repoIngestedKeys() throws {
        let m = RepoIngested(repo: "shop", ref: "main", path: "/repos/shop", ts: "2026-11-23T14:01:51Z")
        #expect(try json(m) == #"{"path":"/repos/shop","ref":"main","repo":"shop","ts":"2026-11-23T14:01:51Z"}"#)
        #expect(try RepoIngested.decodeStrict(from: m.encodeJSON()) == m)
    }

    @Test func codeMinedKeys() throws {
        let m = CodeMined(repo: "shop", file: "models/a.sql", lang: .sql, size: 12, hash: Self.hash, ts: "2026-11-23T14:01:51.250Z")
        #expect(try json(m) == #"{"file":"models/a.sql","hash":"\#(Self.hash)","lang":"sql","repo":"shop","size":12,"ts":"2026-11-23T14:01:51.250Z"}"#)
        #expect(try CodeMined.decodeStrict(from: m.encodeJSON()) == m)
    }

    @Test(arguments: [
        (Findings.python(functionNames: ["a", "b"]), #"{"function_names":["a","b"],"functions":2}"#, Language.python),
        (Findings.sql(tables: ["s.t", "u"]), #"{"tables":["s.t","u"]}"#, Language.sql),
        (Findings.error("unterminated string (line 3)"), #"{"error":"unterminated string (line 3)"}"#, Language.python),
    ])
    func codeAnalyzedKeys(_ findings: Findings, _ findingsJSON: String, _ lang: Language) throws {
        let m = CodeAnalyzed(repo: "shop", file: "x", lang: lang, findings: findings, ts: "2026-11-23T14:01:51Z")
        #expect(try json(m) == #"{"file":"x","findings":\#(findingsJSON),"lang":"\#(lang.rawValue)","repo":"shop","ts":"2026-11-23T14:01:51Z"}"#)
        #expect(try CodeAnalyzed.decodeStrict(from: m.encodeJSON()) == m)
    }

    @Test func plainCodableAlsoWorks() throws {
        let data = Data(#"{"repo":"r","ref":"v1","path":"/p","ts":"2026-11-23T14:01:51Z"}"#.utf8)
        #expect(try JSONDecoder().decode(RepoIngested.self, from: data) == RepoIngested(repo: "r", ref: "v1", path: "/p", ts: "2026-11-23T14:01:51Z"))
    }

    @Test(arguments: [
        (#"{"repo":"r","ref":"m","ts":"2026-11-23T14:01:51Z"}"#, MessageDecodingError.missingField("path")),
        (#"{"repo":"r","ref":"m","path":5,"ts":"2026-11-23T14:01:51Z"}"#, .invalidField("path", "expected String")),
        (#"{"repo":"r","ref":"m","path":null,"ts":"2026-11-23T14:01:51Z"}"#, .invalidField("path", "null is not allowed")),
        (#"{"repo":"","ref":"m","path":"/p","ts":"2026-11-23T14:01:51Z"}"#, .invalidField("repo", "must not be empty")),
        (#"{"repo":"r","ref":"m","path":"/p","ts":"yesterday"}"#,
         .invalidField("ts", "expected ISO-8601 UTC like 2026-11-23T14:01:51Z, got \"yesterday\"")),
        (#"{"repo":"r","ref":"m","path":"/p","ts":"2026-11-23T14:01:51+01:00"}"#,
         .invalidField("ts", "expected ISO-8601 UTC like 2026-11-23T14:01:51Z, got \"2026-11-23T14:01:51+01:00\"")),
        (#"{"repo":"r","ref":"m","path":"/p","ts":"2026-11-23T14:01:51Z","extra":1}"#, .unexpectedField("extra")),
        (#"[1,2]"#, .notJSONObject("top-level value is not an object")),
        (#"{"repo":"#, .notJSONObject("not valid JSON")),
    ])
    func strictDecodeOfRepoIngestedNamesTheField(_ payload: String, _ expected: MessageDecodingError) {
        #expect(throws: expected) { try RepoIngested.decodeStrict(from: Data(payload.utf8)) }
    }

    @Test(arguments: [
        (#"{"repo":"r","file":"a.py","lang":"ruby","size":1,"hash":"HASH","ts":"2026-11-23T14:01:51Z"}"#, "lang"),
        (#"{"repo":"r","file":"a.py","lang":"python","size":-1,"hash":"HASH","ts":"2026-11-23T14:01:51Z"}"#, "size"),
        (#"{"repo":"r","file":"a.py","lang":"python","size":1.5,"hash":"HASH","ts":"2026-11-23T14:01:51Z"}"#, "size"),
        (#"{"repo":"r","file":"a.py","lang":"python","size":1,"hash":"abc","ts":"2026-11-23T14:01:51Z"}"#, "hash"),
        (#"{"repo":"r","file":"../etc/passwd","lang":"python","size":1,"hash":"HASH","ts":"2026-11-23T14:01:51Z"}"#, "file"),
        (#"{"repo":"r","file":"/abs.py","lang":"python","size":1,"hash":"HASH","ts":"2026-11-23T14:01:51Z"}"#, "file"),
        (#"{"repo":"r","file":"a.py","lang":"python","size":1,"ts":"2026-11-23T14:01:51Z"}"#, "hash"),
    ])
    func strictDecodeOfCodeMinedNamesTheField(_ payload: String, _ field: String) {
        let data = Data(payload.replacingOccurrences(of: "HASH", with: Self.hash).utf8)
        do {
            _ = try CodeMined.decodeStrict(from: data)
            Issue.record("accepted \(payload)")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test(arguments: [
        (#"{"functions":2,"function_names":["a"]}"#, "findings.functions"),
        (#"{"function_names":["a"]}"#, "findings.functions"),
        (#"{"functions":1}"#, "findings.function_names"),
        (#"{"tables":["a"],"error":"x"}"#, "findings"),
        (#"{}"#, "findings"),
        (#"{"tables":"a"}"#, "findings.tables"),
        (#"{"functions":1,"function_names":["a"]}"#, "findings"), // python findings on a sql file
    ])
    func strictDecodeOfFindingsNamesTheField(_ findings: String, _ field: String) {
        let payload = #"{"repo":"r","file":"a.sql","lang":"sql","findings":\#(findings),"ts":"2026-11-23T14:01:51Z"}"#
        do {
            _ = try CodeAnalyzed.decodeStrict(from: Data(payload.utf8))
            Issue.record("accepted \(payload)")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test func errorDescriptionsAreReadable() {
        #expect(MessageDecodingError.missingField("findings.functions").description == #"missing field "findings.functions""#)
    }

    @Test func timestamps() throws {
        let date = try #require(Timestamp.parse("2026-11-23T14:01:51Z"))
        #expect(Timestamp.format(date, fractionalSeconds: false) == "2026-11-23T14:01:51Z")
        #expect(Timestamp.format(date) == "2026-11-23T14:01:51.000Z")
        #expect(Timestamp.parse("2026-11-23T14:01:51.123Z").map { $0.timeIntervalSince(date) }.map { abs($0 - 0.123) < 0.001 } == true)
        #expect(Timestamp.isValid(Timestamp.now()))
        #expect(!Timestamp.isValid("2026-11-23 14:01:51"))
        #expect(!Timestamp.isValid("2026-11-23T14:01:51"))
    }

    @Test(arguments: [("a.py", Language.python), ("dir/B.SQL", .sql), ("x.pyc", nil), (".py", nil), ("py", nil), ("a.sql.bak", nil)])
    func languageFromPath(_ path: String, _ lang: Language?) {
        #expect(Language(path: path) == lang)
    }
}
