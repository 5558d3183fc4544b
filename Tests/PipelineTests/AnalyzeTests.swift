import Foundation
import Testing
import Analyzer
import PipelineModels

@Suite("analyze(file:lang:contents:)")
struct AnalyzeTests {
    @Test func python() {
        #expect(analyze(file: "a.py", lang: .python, contents: Data("def a(): pass\n".utf8)) == .python(functionNames: ["a"]))
    }

    @Test func sql() {
        #expect(analyze(file: "a.sql", lang: .sql, contents: Data("select 1 from b".utf8)) == .sql(tables: ["b"]))
    }

    @Test(arguments: [Language.python, .sql])
    func invalidUTF8IsAnErrorFinding(_ lang: Language) {
        let bytes: [UInt8] = Array("def x(): pass -- from t ".utf8) + [0xC3, 0x28, 0xFF]
        #expect(analyze(file: "bad", lang: lang, contents: Data(bytes)) == .error("not valid UTF-8 (byte offset 24)"))
    }

    @Test func unparsableFileIsAnErrorFinding() {
        #expect(analyze(file: "x.py", lang: .python, contents: Data("s = '''\n".utf8)) == .error("unterminated string (line 1)"))
    }

    @Test func bomAndEmptyFilesAreFine() {
        #expect(analyze(file: "e.py", lang: .python, contents: Data()) == .python(functionNames: []))
        #expect(analyze(file: "b.sql", lang: .sql, contents: Data([0xEF, 0xBB, 0xBF] + Array("select * from t".utf8))) == .sql(tables: ["t"]))
    }
}
