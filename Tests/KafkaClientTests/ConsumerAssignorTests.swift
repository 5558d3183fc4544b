import KafkaClient
import Testing

/// Layouts from the Java client's RangeAssignor / RoundRobinAssignor documentation and code.
@Suite struct ConsumerAssignorTests {
    func tps(_ list: [(String, Int32)]) -> [TopicPartition] { list.map { TopicPartition($0.0, $0.1) } }

    @Test func rangeSplitsSixPartitionsBetweenTwoMembers() {
        let layout = PartitionAssignor.range(["m1": ["t"], "m2": ["t"]], partitionCounts: ["t": 6])
        #expect(layout["m1"] == tps([("t", 0), ("t", 1), ("t", 2)]))
        #expect(layout["m2"] == tps([("t", 3), ("t", 4), ("t", 5)]))
    }

    @Test func rangeGivesTheExtraPartitionsToTheFirstMembers() {
        // Java docs: C0, C1 on t0, t1 with 3 partitions each.
        let layout = PartitionAssignor.range(["C0": ["t0", "t1"], "C1": ["t0", "t1"]], partitionCounts: ["t0": 3, "t1": 3])
        #expect(layout["C0"] == tps([("t0", 0), ("t0", 1), ("t1", 0), ("t1", 1)]))
        #expect(layout["C1"] == tps([("t0", 2), ("t1", 2)]))
    }

    @Test func rangeThreeMembersTwoTopics() {
        let all: Set<String> = ["a", "b"]
        let layout = PartitionAssignor.range(["c1": all, "c2": all, "c3": all], partitionCounts: ["a": 4, "b": 2])
        #expect(layout["c1"] == tps([("a", 0), ("a", 1), ("b", 0)]))
        #expect(layout["c2"] == tps([("a", 2), ("b", 1)]))
        #expect(layout["c3"] == tps([("a", 3)]))
    }

    @Test func roundRobinDealsPartitionsInOrder() {
        // Java docs: C0, C1 on t0, t1 with 3 partitions each.
        let layout = PartitionAssignor.roundRobin(["C0": ["t0", "t1"], "C1": ["t0", "t1"]], partitionCounts: ["t0": 3, "t1": 3])
        #expect(layout["C0"] == tps([("t0", 0), ("t0", 2), ("t1", 1)]))
        #expect(layout["C1"] == tps([("t0", 1), ("t1", 0), ("t1", 2)]))
    }

    @Test func roundRobinSkipsMembersNotSubscribed() {
        // Java docs: C0 on t0; C1 on t0, t1; C2 on t0, t1, t2; t0/t1/t2 with 1/2/3 partitions.
        let layout = PartitionAssignor.roundRobin(
            ["C0": ["t0"], "C1": ["t0", "t1"], "C2": ["t0", "t1", "t2"]], partitionCounts: ["t0": 1, "t1": 2, "t2": 3])
        #expect(layout["C0"] == tps([("t0", 0)]))
        #expect(layout["C1"] == tps([("t1", 0)]))
        #expect(layout["C2"] == tps([("t1", 1), ("t2", 0), ("t2", 1), ("t2", 2)]))
    }

    @Test func roundRobinTwoMembersSixPartitions() {
        let layout = PartitionAssignor.roundRobin(["m1": ["t"], "m2": ["t"]], partitionCounts: ["t": 6])
        #expect(layout["m1"] == tps([("t", 0), ("t", 2), ("t", 4)]))
        #expect(layout["m2"] == tps([("t", 1), ("t", 3), ("t", 5)]))
    }

    @Test func unknownTopicsAndIdleMembersGetNothing() {
        let range = PartitionAssignor.range(["a": ["t", "missing"], "b": ["t"], "c": ["t"]], partitionCounts: ["t": 2])
        #expect(range["a"] == tps([("t", 0)]))
        #expect(range["b"] == tps([("t", 1)]))
        #expect(range["c"] == [])
        let robin = PartitionAssignor.roundRobin(["a": ["missing"]], partitionCounts: ["t": 2])
        #expect(robin["a"] == [])
    }
}
