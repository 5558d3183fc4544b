import KafkaProtocol
import Testing

/// librdkafka's mock writes null into SyncGroup's non-nullable Assignment (and FindCoordinator's
/// Host) when it answers with an error; the error code must still come through.
@Suite struct ErrorFirstFallbackTests {
    /// A SyncGroup v3 answer: correlation id, throttle time, error code, then a null assignment.
    static func syncGroupV3(errorCode: Int16, tail: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0, 7, 0, 0, 0, 0]
        bytes += [UInt8(truncatingIfNeeded: errorCode >> 8), UInt8(truncatingIfNeeded: errorCode)]
        return bytes + tail
    }

    @Test func anErrorAnswerWithANullAssignmentYieldsItsErrorCode() throws {
        let frame = try ResponseFrame.decode(Self.syncGroupV3(errorCode: 27), apiKey: 14, apiVersion: 3)
        let body = try #require(frame.body as? SyncGroupResponse)
        #expect(body.errorCode == 27)
        #expect(frame.header.correlationId == 7)
    }

    @Test func aSuccessWithANullAssignmentStillFails() {
        #expect(throws: KafkaCodecError.self) {
            _ = try ResponseFrame.decode(Self.syncGroupV3(errorCode: 0), apiKey: 14, apiVersion: 3)
        }
    }

    @Test func aTruncatedErrorAnswerStillFails() {
        #expect(throws: KafkaCodecError.self) {
            _ = try ResponseFrame.decode(Self.syncGroupV3(errorCode: 27, tail: [0, 0]), apiKey: 14, apiVersion: 3)
        }
    }
}
