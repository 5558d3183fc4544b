/// Committing chosen offsets instead of delivered positions, for applications that commit a
/// record only once its effects are durable (at-least-once pipelines): delivery runs ahead of
/// processing, so `commit()` would commit records that are still in flight.
extension KafkaConsumer {
    /// Commits `offsets` (per partition, the next offset to consume). In a group, only
    /// partitions this member owns are committed, as its current generation (the coordinator
    /// refuses a stale generation: after a rebalance the new owner re-delivers instead).
    /// Without a group, commits as a simple consumer. Needs `groupId`.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        try checkOpen()
        guard !offsets.isEmpty else { return }
        if let group {
            try await group.commit(offsets)
        } else {
            try await commitManual(offsets)
        }
    }
}

extension GroupMember {
    func commit(_ offsets: [TopicPartition: Int64]) async throws {
        let owned = Set(state.assignment)
        let mine = offsets.filter { owned.contains($0.key) }
        guard !mine.isEmpty, generation >= 0 else { return }
        try await store.commit(mine, generation: generation, memberId: memberId)
    }
}
