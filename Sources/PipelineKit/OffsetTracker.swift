import KafkaClient

/// Which source offsets may be committed, at-least-once: a record's offset becomes committable
/// only when the record is finished (sealed) and every output it produced was acknowledged, and
/// every earlier record of its partition is too. Records of one partition begin in offset order;
/// a lower offset than expected means the partition was re-delivered (rebalance): its state
/// restarts in a new epoch and late completions from the old epoch are ignored.
public struct OffsetTracker: Sendable {
    /// Identifies one record in flight.
    public struct Ticket: Sendable, Hashable {
        public var partition: TopicPartition
        public var epoch: UInt64
        public var offset: Int64
    }

    struct Entry {
        var offset: Int64
        var outstanding = 0
        var sealed = false
    }

    struct Partition {
        var epoch: UInt64
        /// In-flight records in offset order.
        var entries: [Entry] = []
        var head = 0
        /// The offset after the last record begun.
        var next: Int64?
        /// Everything below this is done.
        var committable: Int64?
        var committed: Int64?
    }

    private var partitions: [TopicPartition: Partition] = [:]
    private var nextEpoch: UInt64 = 1

    public init() {}

    /// Starts tracking a delivered record.
    public mutating func begin(_ tp: TopicPartition, offset: Int64) -> Ticket {
        if var p = partitions[tp], let next = p.next, offset >= next {
            p.entries.append(Entry(offset: offset))
            p.next = offset + 1
            partitions[tp] = p
            return Ticket(partition: tp, epoch: p.epoch, offset: offset)
        }
        // New partition, or a rewind (re-delivery after a rebalance): start over.
        let epoch = nextEpoch
        nextEpoch += 1
        let committed = partitions[tp]?.committed
        partitions[tp] = Partition(epoch: epoch, entries: [Entry(offset: offset)], next: offset + 1, committed: committed)
        return Ticket(partition: tp, epoch: epoch, offset: offset)
    }

    /// The record produced one more output that must be acknowledged.
    public mutating func addOutput(_ ticket: Ticket) {
        update(ticket) { $0.outstanding += 1 }
    }

    /// One output of the record was acknowledged by the broker.
    public mutating func outputAcknowledged(_ ticket: Ticket) {
        update(ticket) { $0.outstanding -= 1 }
    }

    /// The record produces nothing more.
    public mutating func seal(_ ticket: Ticket) {
        update(ticket) { $0.sealed = true }
    }

    /// Stops tracking partitions this consumer no longer owns.
    public mutating func revoke(_ tps: [TopicPartition]) {
        for tp in tps { partitions[tp] = nil }
    }

    /// Committable offsets not committed yet.
    public var pendingCommits: [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for (tp, p) in partitions {
            if let offset = p.committable, offset != p.committed { result[tp] = offset }
        }
        return result
    }

    public mutating func markCommitted(_ offsets: [TopicPartition: Int64]) {
        for (tp, offset) in offsets where partitions[tp] != nil { partitions[tp]?.committed = offset }
    }

    /// Records begun and not yet committable, over all partitions.
    public var inFlight: Int {
        partitions.values.reduce(0) { $0 + $1.entries.count - $1.head }
    }

    public func committable(_ tp: TopicPartition) -> Int64? { partitions[tp]?.committable }

    private mutating func update(_ ticket: Ticket, _ change: (inout Entry) -> Void) {
        guard var p = partitions[ticket.partition], p.epoch == ticket.epoch else { return }
        guard let index = p.entries[p.head...].firstIndex(where: { $0.offset == ticket.offset }) else { return }
        change(&p.entries[index])
        while p.head < p.entries.count, p.entries[p.head].sealed, p.entries[p.head].outstanding <= 0 {
            p.committable = p.entries[p.head].offset + 1
            p.head += 1
        }
        if p.head == p.entries.count {
            p.entries.removeAll(keepingCapacity: true)
            p.head = 0
        } else if p.head >= 256 {
            p.entries.removeFirst(p.head)
            p.head = 0
        }
        partitions[ticket.partition] = p
    }
}
