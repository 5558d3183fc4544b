import Testing

/// Every kafka-admin verb answers --help with examples (rpk's and kcat's habit), exit 0.
@Suite struct HelpTests {
    static let verbs: [[String]] = [
        [], ["create-topics"], ["topic"], ["topic", "create"], ["topic", "list"], ["topic", "describe"],
        ["topic", "delete"], ["produce"], ["consume"], ["group"], ["group", "list"], ["group", "describe"],
        ["group", "seek"], ["group", "delete"], ["decode"], ["record"],
    ]

    @Test(arguments: verbs)
    func helpHasExamples(_ verb: [String]) throws {
        let run = try DecodeCommandTests.kafkaAdmin(verb + ["--help"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Example"), "kafka-admin \(verb.joined(separator: " ")) --help:\n\(run.stdout)")
        #expect(run.stdout.contains("kafka-admin \(verb.joined(separator: " "))"), "examples name the verb")
    }

    @Test func consumeHelpListsTheFormatTokens() throws {
        let run = try DecodeCommandTests.kafkaAdmin(["consume", "--help"])
        for token in ["%t", "%p", "%o", "%k", "%s", "%T", "%h"] { #expect(run.stdout.contains(token)) }
    }
}
