/// The classic consumer group's client-side partition assignors, as pure functions with the
/// same layouts as the Java client's `RangeAssignor` and `RoundRobinAssignor` (members in
/// member-id order), so mixed-client groups agree.
public enum PartitionAssignor {
    /// Each member's subscribed topics in; each member's partitions out (every member present,
    /// possibly with none). `partitionCounts` holds the topics that exist.
    public typealias Subscriptions = [String: Set<String>]

    /// Per topic: the members subscribed to it, in order, get contiguous ranges; the first
    /// `count % members` get one extra.
    public static func range(_ members: Subscriptions, partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result = members.mapValues { _ in [TopicPartition]() }
        for topic in partitionCounts.keys.sorted() {
            let count = Int(partitionCounts[topic] ?? 0)
            let consumers = members.filter { $0.value.contains(topic) }.keys.sorted()
            guard !consumers.isEmpty, count > 0 else { continue }
            let per = count / consumers.count, extra = count % consumers.count
            for (i, member) in consumers.enumerated() {
                let start = i * per + min(i, extra)
                let length = per + (i < extra ? 1 : 0)
                for p in start..<(start + length) { result[member, default: []].append(TopicPartition(topic, Int32(p))) }
            }
        }
        return result
    }

    /// All partitions of all subscribed topics, sorted, dealt out one by one to the members in
    /// order, skipping members not subscribed to a partition's topic.
    public static func roundRobin(_ members: Subscriptions, partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result = members.mapValues { _ in [TopicPartition]() }
        let ordered = members.keys.sorted()
        guard !ordered.isEmpty else { return result }
        let topics = Set(members.values.flatMap { $0 }).filter { partitionCounts[$0] != nil }.sorted()
        var next = 0
        for topic in topics {
            for p in 0..<(partitionCounts[topic] ?? 0) {
                // At least one member subscribes to `topic`, so this finds one within a lap.
                for _ in 0..<ordered.count {
                    let member = ordered[next % ordered.count]
                    next += 1
                    if members[member]?.contains(topic) == true {
                        result[member, default: []].append(TopicPartition(topic, p))
                        break
                    }
                }
            }
        }
        return result
    }

    public static func assign(
        _ strategy: ConsumerConfiguration.AssignmentStrategy, _ members: Subscriptions, partitionCounts: [String: Int32]
    ) -> [String: [TopicPartition]] {
        switch strategy {
        case .range: return range(members, partitionCounts: partitionCounts)
        case .roundRobin: return roundRobin(members, partitionCounts: partitionCounts)
        }
    }
}
