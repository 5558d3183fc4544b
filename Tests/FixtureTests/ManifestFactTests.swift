import Testing
import KafkaCompression
import KafkaProtocol

/// What the recording peers said they sent and received is found in the decoded frames.
@Suite struct ManifestFactTests {
    @Test(arguments: FixtureCatalog.expectations)
    func factIsFound(_ expectation: Expectation) throws {
        let candidates = FixtureCatalog.fixtures.filter {
            $0.scenario == expectation.scenario && $0.apiKey == expectation.apiKey
                && $0.direction == expectation.direction
        }
        try #require(!candidates.isEmpty, "no frame of api \(expectation.apiKey) \(expectation.direction) in \(expectation.scenario)")
        if candidates.allSatisfy(\.isBeyondOurSpecs) {
            // Frames newer than our specs (the mock cluster's Metadata v13) cannot show their
            // facts to us; what we owe is a clean, typed refusal.
            for fixture in candidates {
                #expect(throws: KafkaCodecError.self) { try fixture.decode(try fixture.payload()) }
            }
            return
        }
        var misses: [String] = []
        for fixture in candidates where !fixture.isBeyondOurSpecs {
            let tree = try fixture.decode(try fixture.payload()).tree
            if let miss = try firstMiss(expectation, in: tree) {
                misses.append("\(fixture.file): \(miss)")
            } else {
                return
            }
        }
        Issue.record(Comment(rawValue: "no frame shows all facts of \(expectation):\n" + misses.joined(separator: "\n")))
    }

    /// Nil when the tree shows every fact, else what is missing.
    func firstMiss(_ expectation: Expectation, in tree: WireValue) throws -> String? {
        let strings = tree.allStrings
        for s in expectation.strings where !strings.contains(s) { return "string \"\(s)\" not found" }
        let codes = tree.allErrorCodes
        for code in expectation.errorCodes where !codes.contains(code) { return "error code \(code) not found" }
        guard let facts = expectation.records else { return nil }

        var count = 0
        var magics = Set<Int>()
        var first: (key: [UInt8]?, value: [UInt8]?, headers: [[String]], codec: String)?
        for field in tree.allRecordFields {
            let set = try RecordSetDecoder().decode(field)
            for batch in set.batches where !batch.isControl {
                magics.insert(Int(batch.magic))
                count += batch.records.count
                if first == nil, let record = batch.records.first {
                    let headers = record.headers.map { [$0.key, String(decoding: $0.value ?? [], as: UTF8.self)] }
                    first = (record.key, record.value, headers, batch.compression.name)
                }
            }
            for message in set.legacyMessages {
                magics.insert(Int(message.magic))
                count += 1
                if first == nil { first = (message.key, message.value, [], message.wrapperCompression.name) }
            }
        }
        if let expected = facts.count, expected != count { return "\(count) records, expected \(expected)" }
        if let magic = facts.magic, magics != [magic] { return "magic \(magics.sorted()), expected \(magic)" }
        guard let first else { return facts.count == 0 ? nil : "no records" }
        if let codec = facts.codec, codec != first.codec { return "codec \(first.codec), expected \(codec)" }
        if let key = facts.firstKey, first.key != Array(key.utf8) { return "first key differs" }
        if let value = facts.firstValue, first.value != Array(value.utf8) { return "first value differs" }
        if let headers = facts.firstHeaders, headers != first.headers { return "first headers \(first.headers)" }
        return nil
    }
}
