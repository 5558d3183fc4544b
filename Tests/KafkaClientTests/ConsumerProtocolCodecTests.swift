@testable import KafkaClient
import Testing

/// The consumer protocol's bytes in JoinGroup/SyncGroup, against the Java client's layout:
/// int16 version, then the struct.
@Suite struct ConsumerProtocolCodecTests {
    @Test func readsAJavaV0Subscription() throws {
        // version 0, topics ["ab", "c"], user data null
        let bytes: [UInt8] = [0, 0, 0, 0, 0, 2, 0, 2, 97, 98, 0, 1, 99, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(try GroupProtocolCodec.decodeSubscription(bytes) == ["ab", "c"])
    }

    @Test func readsAJavaV0AssignmentAndEmptyAssignments() throws {
        // version 0, [("t", [0, 2])], user data null
        let bytes: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(try GroupProtocolCodec.decodeAssignment(bytes) == [TopicPartition("t", 0), TopicPartition("t", 2)])
        #expect(try GroupProtocolCodec.decodeAssignment([]) == [])
    }

    @Test func roundTripsAndToleratesNewerVersions() throws {
        let subscription = try GroupProtocolCodec.encodeSubscription(topics: ["b", "a"], owned: [])
        #expect(Array(subscription.prefix(2)) == [0, 1])
        #expect(try GroupProtocolCodec.decodeSubscription(subscription) == ["a", "b"])
        let partitions = [TopicPartition("x", 1), TopicPartition("y", 0)]
        let assignment = try GroupProtocolCodec.encodeAssignment(partitions)
        #expect(try GroupProtocolCodec.decodeAssignment(assignment) == partitions)
        // A version from the future is read as the newest we know (fields only get appended).
        var future = assignment
        future[1] = 9
        #expect(try GroupProtocolCodec.decodeAssignment(future) == partitions)
    }

    @Test func rejectsTruncatedBytesWithoutTrapping() {
        #expect(throws: (any Error).self) { try GroupProtocolCodec.decodeSubscription([0]) }
        #expect(throws: (any Error).self) { try GroupProtocolCodec.decodeAssignment([0, 0, 0, 0, 0, 5, 0]) }
    }
}
