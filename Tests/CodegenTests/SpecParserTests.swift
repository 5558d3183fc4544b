import KafkaCodegenCore
import Testing

@Suite("Strict spec parsing")
struct SpecParserTests {
    static let valid = """
    // A comment line, and a URL inside a string must survive: "http://example"
    {
      "apiKey": 99, "type": "request", "listeners": ["broker"], "name": "TinyRequest",
      "validVersions": "0-2", "flexibleVersions": "1+", // trailing comment
      "fields": [
        { "name": "Url", "type": "string", "versions": "0+", "about": "see http://x//y" },
        { "name": "Count", "type": "int32", "versions": "1+", "default": "0x10" }
      ]
    }
    """

    @Test func acceptsValidSpecWithComments() throws {
        let spec = try SpecParser.parse(Self.valid, file: "TinyRequest")
        #expect(spec.name == "TinyRequest")
        #expect(spec.fields.count == 2)
        #expect(spec.fields[0].about == "see http://x//y")
        #expect(spec.validVersions == SpecVersions(0, 2))
        #expect(spec.flexibleVersions == SpecVersions(1, SpecVersions.open))
    }

    @Test(arguments: [
        ("\"about\": \"see http://x//y\"", "\"about\": \"x\", \"mapKye\": true", "mapKye"),
        ("\"apiKey\": 99,", "\"apiKey\": 99, \"flexibelVersions\": \"none\",", "flexibelVersions"),
    ])
    func rejectsUnknownKeys(original: String, replacement: String, key: String) throws {
        let text = Self.valid.replacingFirst(original, with: replacement)
        #expect(text != Self.valid)
        let error = try #require(#expect(throws: SpecError.self) { try SpecParser.parse(text, file: "TinyRequest") })
        #expect(error.file == "TinyRequest")
        #expect(error.message.contains("'\(key)'"))
    }

    @Test func rejectsBadVersionsAndTypes() {
        let badRange = Self.valid.replacingFirst("\"1+\", \"default\"", with: "\"3-1\", \"default\"")
        #expect(throws: SpecError.self) { try SpecParser.parse(badRange, file: "T") }
        let badType = Self.valid.replacingFirst("\"int32\"", with: "\"int33\"")
        #expect(throws: SpecError.self) { try SpecParser.parse(badType, file: "T") }
    }

    @Test func unstableLatestVersionIsDropped() throws {
        let text = Self.valid.replacingFirst("\"apiKey\": 99,", with: "\"apiKey\": 99, \"latestVersionUnstable\": true,")
        let spec = try SpecParser.parse(text, file: "T")
        #expect(spec.validVersions == SpecVersions(0, 1))
    }

    @Test func versionRangeAlgebra() throws {
        let open = try #require(SpecVersions(spec: "4+"))
        #expect(open.contains(4) && !open.contains(3) && open.contains(Int(Int16.max)))
        #expect(SpecVersions(spec: "none")?.isEmpty == true)
        #expect(SpecVersions(spec: "0-3")?.intersection(open).isEmpty == true)
        #expect(SpecVersions(spec: "2-7")?.intersection(open) == SpecVersions(4, 7))
        #expect(SpecVersions(spec: "x") == nil)
        #expect(SpecVersions(spec: "0-3")?.description == "0-3")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
