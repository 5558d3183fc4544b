import KafkaProtocol

/// Turns a partition's `records` bytes into deliverable records: control batches skipped,
/// records before the fetch offset dropped (a batch is returned whole), and the offset to fetch
/// next (past the last whole batch, control batches included; a cut-off tail is fetched again).
enum RecordConversion {
    struct Output {
        var records: [ConsumerRecord]
        var nextOffset: Int64
    }

    static func convert(_ bytes: [UInt8], topic: String, partition: Int32, from fetchOffset: Int64) throws -> Output {
        let decoded = try RecordSetDecoder().decode(bytes)
        var records: [ConsumerRecord] = []
        // One reservation for the whole response: reserving per batch regrows the array each time.
        var total = 0
        for entry in decoded.entries {
            if case let .batch(batch) = entry { total += batch.records.count } else { total += 1 }
        }
        records.reserveCapacity(total)
        var next = fetchOffset
        for entry in decoded.entries {
            switch entry {
            case let .batch(batch):
                next = max(next, batch.nextOffset)
                if batch.isControl { continue }
                for record in batch.records {
                    let offset = batch.offset(of: record)
                    guard offset >= fetchOffset else { continue }
                    records.append(ConsumerRecord(
                        topic: topic, partition: partition, offset: offset, timestamp: batch.timestamp(of: record),
                        key: record.key, value: record.value, headers: record.headers.map { ($0.key, $0.value) }))
                }
            case let .legacy(message):
                next = max(next, message.offset + 1)
                guard message.offset >= fetchOffset else { continue }
                records.append(ConsumerRecord(
                    topic: topic, partition: partition, offset: message.offset, timestamp: message.timestamp,
                    key: message.key, value: message.value, headers: []))
            }
        }
        return Output(records: records, nextOffset: next)
    }
}
