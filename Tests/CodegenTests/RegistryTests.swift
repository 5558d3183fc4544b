import Foundation
import KafkaProtocol
import Testing

@Suite("Api registry and error codes")
struct RegistryTests {
    @Test func registryCoversBrokerApis() throws {
        #expect(KafkaApis.all.count == 72)
        let metadata = try #require(KafkaApis.api(forKey: 3))
        #expect(metadata.name == "Metadata")
        #expect(metadata.requestType.messageName == "MetadataRequest")
        #expect(metadata.responseType.messageName == "MetadataResponse")
        #expect(metadata.validVersions == MetadataRequest.validVersions)
        #expect(KafkaApis.api(named: "Fetch")?.key == 1)
        #expect(KafkaApis.api(forKey: 9999) == nil)
    }

    @Test func headerVersions() throws {
        let metadata = try #require(KafkaApis.api(named: "Metadata"))
        #expect(metadata.requestHeaderVersion(for: 8) == 1)
        #expect(metadata.requestHeaderVersion(for: 9) == 2)
        #expect(metadata.responseHeaderVersion(for: 8) == 0)
        #expect(metadata.responseHeaderVersion(for: 9) == 1)
        let apiVersions = try #require(KafkaApis.api(named: "ApiVersions"))
        #expect(apiVersions.requestHeaderVersion(for: 3) == 2)
        #expect(apiVersions.responseHeaderVersion(for: 3) == 0)
    }

    @Test(.enabled(if: TestPaths.specsAvailable, "spec directory not found (set KAFKA_SPECS_DIR)"))
    func unstableVersionDropped() throws {
        // EndTxnRequest marks its newest version unstable; the registry must not offer it.
        let text = try String(contentsOfFile: TestPaths.specsDirectory + "/EndTxnRequest.json", encoding: .utf8)
        #expect(text.contains("\"latestVersionUnstable\": true"))
        let raw = try #require(text.firstMatch(of: /"validVersions": "(\d+)-(\d+)"/))
        let declaredHighest = try #require(Int16(raw.output.2))
        let endTxn = try #require(KafkaApis.api(named: "EndTxn"))
        #expect(endTxn.validVersions == EndTxnRequest.validVersions)
        #expect(EndTxnRequest.validVersions.highest == declaredHighest - 1)
        #expect(EndTxnResponse.validVersions.highest == declaredHighest)
    }

    @Test func errorCodes() {
        let code = KafkaErrorCode(rawValue: 6)
        #expect(code == .notLeaderOrFollower)
        #expect(code.name == "NOT_LEADER_OR_FOLLOWER")
        #expect(code.isRetriable)
        #expect(!code.message.isEmpty)
        #expect(KafkaErrorCode.none.rawValue == 0)
        #expect(KafkaErrorCode.offsetOutOfRange.description == "OFFSET_OUT_OF_RANGE")
        #expect(KafkaErrorCode(rawValue: 9999).description == "UNKNOWN(9999)")
        #expect(KafkaErrorCode.corruptMessage.message.contains(","))
        switch code {
        case .notLeaderOrFollower: break
        default: Issue.record("switch on a static let did not match")
        }
    }
}
