import Testing
import KafkaProtocol

/// The fixture set covers what the client speaks first: a real request and a real response
/// for each of these apis.
@Suite struct CoverageTests {
    static let clientApis: [Int16] = [
        0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 32, 36, 37, 42,
    ]

    /// Responses no peer here can produce: Tansu does not offer CreatePartitions and
    /// librdkafka's mock cluster closes the connection on it (see Fixtures/frames/README.md).
    static let knownMissing: Set<String> = ["37 response"]

    @Test func everyClientApiHasARequestAndAResponse() {
        var present = Set<String>()
        for fixture in FixtureCatalog.fixtures { present.insert("\(fixture.apiKey) \(fixture.direction)") }
        for key in Self.clientApis {
            for direction in ["request", "response"] {
                let entry = "\(key) \(direction)"
                let name = KafkaApis.api(forKey: key)?.name ?? "?"
                if Self.knownMissing.contains(entry) {
                    #expect(!present.contains(entry), "\(name) \(direction) is recorded now: drop it from knownMissing")
                } else {
                    #expect(present.contains(entry), "no recorded \(name) \(direction)")
                }
            }
        }
    }

    @Test func recordedVersionsSpanOldAndFlexible() {
        // Both the classic and the flexible encodings of the busiest apis come from real peers.
        for key: Int16 in [0, 1, 3, 18, 19] {
            guard let api = KafkaApis.api(forKey: key) else { Issue.record("no api \(key)"); continue }
            let versions = Set(FixtureCatalog.fixtures.filter { $0.apiKey == key }.map(\.apiVersion))
            #expect(versions.contains { !api.requestFlexibleVersions.contains($0) }, "\(api.name): no classic version recorded")
            #expect(versions.contains { api.requestFlexibleVersions.contains($0) }, "\(api.name): no flexible version recorded")
        }
    }
}
