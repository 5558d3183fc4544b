extension KafkaAdminClient {
    /// Commits `offsets` (the next offset to consume, per partition) for `group` outside group
    /// management (generation -1, no member id), as Kafka's tools reset offsets. Brokers accept
    /// this only while the group has no active members; a live group answers per-partition errors
    /// (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION…), thrown as the first failing partition.
    public func commitOffsets(group groupId: String, _ offsets: [TopicPartition: Int64]) async throws {
        let store = OffsetStore(cluster: cluster, groupId: groupId, requestTimeoutMs: cluster.configuration.requestTimeoutMs)
        try await store.commit(offsets, generation: -1, memberId: "")
    }
}
