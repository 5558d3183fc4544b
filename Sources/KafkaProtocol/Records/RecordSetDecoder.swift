/// One entry of a records field: a v2 batch, or a legacy message (expanded from its wrapper).
public enum RecordSetEntry: Sendable, Equatable {
    case batch(RecordBatch)
    case legacy(LegacyMessage)
}

/// The decoded contents of a `records` field (Fetch responses, Produce requests).
public struct DecodedRecordSet: Sendable, Equatable {
    public var entries: [RecordSetEntry]
    /// Bytes at the end that did not form a whole batch or message. Normal in Fetch responses
    /// (the broker cuts at the size limit); the consumer refetches from the next offset.
    public var truncatedTailBytes: Int

    public var batches: [RecordBatch] {
        entries.compactMap { if case let .batch(batch) = $0 { batch } else { nil } }
    }

    public var legacyMessages: [LegacyMessage] {
        entries.compactMap { if case let .legacy(message) = $0 { message } else { nil } }
    }
}

/// Decodes the bytes of a `records` field: any mix of v2 batches and magic 0/1 messages.
/// Errors carry the byte offset in `bytes` and a path such as `Batch[2].Records[5].Key`
/// (legacy entries are `Message[i]`).
public struct RecordSetDecoder: Sendable {
    public var options: RecordDecodingOptions

    public init(options: RecordDecodingOptions = .default) { self.options = options }

    public func decode(_ bytes: [UInt8]) throws -> DecodedRecordSet {
        var reader = WireReader(bytes)
        var entries: [RecordSetEntry] = []
        var legacy: [LegacyMessage] = []
        var batchIndex = 0
        var messageIndex = 0
        while !reader.isAtEnd {
            // offset (8) + length (4) + leader epoch or CRC (4) + magic (1): the magic byte sits
            // at the same place in every format.
            guard reader.remaining >= 17 else { break }
            var peek = reader
            _ = try peek.readInt64()
            let lengthOffset = peek.offset
            let length = try peek.readInt32()
            guard length >= 0 else {
                throw KafkaCodecError(.invalidLength(Int64(length)), offset: lengthOffset).within("Batch[\(batchIndex)]")
            }
            // The last entry cut short by the broker's size limit.
            guard Int(length) <= peek.remaining else { break }
            _ = try peek.readInt32()
            let magic = try peek.readInt8()
            switch magic {
            case 2:
                do {
                    entries.append(.batch(try RecordBatch.decode(from: &reader, options: options)))
                } catch {
                    throw error.within("Batch[\(batchIndex)]")
                }
                batchIndex += 1
            case 0, 1:
                legacy.removeAll(keepingCapacity: true)
                do {
                    try LegacyMessageSet.decode(from: &reader, into: &legacy, options: options)
                } catch {
                    throw error.within("Message[\(messageIndex)]")
                }
                for message in legacy { entries.append(.legacy(message)) }
                messageIndex += 1
            default:
                throw KafkaCodecError(.unsupportedMagic(magic), offset: peek.offset - 1).within("Batch[\(batchIndex)]")
            }
        }
        return DecodedRecordSet(entries: entries, truncatedTailBytes: reader.remaining)
    }
}
