import Foundation
import Testing
import Analyzer
import Miner
import PipelineModels

/// The analyzer and walker against the hand-checked expectations of Fixtures/sample-repo.
@Suite("Sample repository")
struct SampleRepoTests {
    static let root = Paths.inPackage("Fixtures/sample-repo")

    struct Expected: Decodable {
        let files: [String: Entry]
        struct Entry: Decodable {
            let lang: Language
            let functions: Int?
            let function_names: [String]?
            let tables: [String]?
            let error: String?
        }
    }

    static func expected() throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.inPackage("Fixtures/sample-repo.expected.json")))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    /// Decodes the expectation through the same strict `Findings` decoder the services use.
    static func findings(_ entry: Expected.Entry) throws -> Findings {
        struct Shape: Encodable {
            let functions: Int?
            let function_names: [String]?
            let tables: [String]?
            let error: String?
        }
        let shape = Shape(functions: entry.functions, function_names: entry.function_names, tables: entry.tables, error: entry.error)
        return try JSONDecoder().decode(Findings.self, from: JSONEncoder().encode(shape))
    }

    @Test func walkerYieldsExactlyTheExpectedFiles() throws {
        let expected = try Self.expected()
        let found = Array(try RepositoryWalker(root: Self.root).files)
        #expect(found.map(\.path) == expected.files.keys.sorted())
        for file in found { #expect(file.language == expected.files[file.path]?.lang, "\(file.path)") }
    }

    @Test func gitDirectoryCreatedAtTestTimeIsSkipped() throws {
        // A real .git cannot be committed inside the fixture, so copy the repository and add one.
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/sample"
        try FileManager.default.copyItem(atPath: Self.root, toPath: copy)
        try FileManager.default.createDirectory(atPath: copy + "/.git/hooks", withIntermediateDirectories: true)
        try Data("def hook(): pass\n".utf8).write(to: URL(fileURLWithPath: copy + "/.git/hooks/pre-commit.py"))
        let paths = try RepositoryWalker(root: copy).files.map(\.path)
        #expect(paths == (try Self.expected()).files.keys.sorted())
    }

    @Test(arguments: try expected().files.keys.sorted())
    func analyzerMatchesExpectations(_ path: String) throws {
        let entry = try #require(try Self.expected().files[path])
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/" + path))
        let findings = analyze(file: path, lang: entry.lang, contents: data)
        #expect(findings == (try Self.findings(entry)))
    }
}
