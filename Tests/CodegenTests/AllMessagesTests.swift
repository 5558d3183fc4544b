import KafkaProtocol
import Testing

/// Properties every generated message must have, checked across all apis and versions.
@Suite("All generated messages")
struct AllMessagesTests {
    static let types: [any KafkaMessage.Type] = {
        var all: [any KafkaMessage.Type] = [
            RequestHeader.self, ResponseHeader.self, ConsumerProtocolSubscription.self, ConsumerProtocolAssignment.self,
        ]
        for api in KafkaApis.all {
            all.append(api.requestType)
            all.append(api.responseType)
        }
        return all
    }()

    /// A default value encodes in every valid version and decodes back to itself.
    static func defaultRoundTrip<T: KafkaMessage>(_ type: T.Type) throws -> [String] {
        var failures: [String] = []
        let range = T.validVersions
        guard !range.isEmpty else { return [] }
        for version in range.lowest...range.highest {
            do {
                let bytes = try T().encoded(version: version)
                let decoded = try T.decode(bytes, version: version)
                if decoded.message != T() || decoded.trailingBytes != 0 { failures.append("\(T.messageName) v\(version): differs") }
            } catch {
                failures.append("\(T.messageName) v\(version): \(error)")
            }
        }
        return failures
    }

    /// Hostile input: arbitrary bytes either decode or throw a KafkaCodecError, never trap.
    static func garbage<T: KafkaMessage>(_ type: T.Type, seed: UInt64) -> Int {
        var state = seed
        var decoded = 0
        let range = T.validVersions
        guard !range.isEmpty else { return 0 }
        for version in range.lowest...range.highest {
            for length in [0, 1, 3, 8, 17, 64] {
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    bytes.append(UInt8(truncatingIfNeeded: state >> 56))
                }
                do {
                    _ = try T.decode(bytes, version: version)
                    decoded += 1
                } catch is KafkaCodecError {
                } catch {
                    Issue.record("\(T.messageName) v\(version): non-codec error \(error)")
                }
            }
        }
        return decoded
    }

    @Test func defaultsRoundTripInEveryVersion() throws {
        var failures: [String] = []
        for type in Self.types { failures += try Self.defaultRoundTrip(type) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func garbageNeverTraps() {
        var seed: UInt64 = 1
        for type in Self.types {
            seed += 1
            _ = Self.garbage(type, seed: seed)
        }
    }
}
