/// The key of a control record (in batches with the control bit): which marker it is.
public enum ControlRecordType: Sendable, Equatable {
    case abort
    case commit
    /// A type this client does not know (KIP-890 and later add more); kept, not rejected.
    case unknown(Int16)

    public init(rawValue: Int16) {
        switch rawValue {
        case 0: self = .abort
        case 1: self = .commit
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: Int16 {
        switch self {
        case .abort: 0
        case .commit: 1
        case let .unknown(value): value
        }
    }
}

/// A decoded control record: key (version int16, type int16) and, for transaction markers,
/// value (version int16, coordinator epoch int32).
public struct ControlRecord: Sendable, Equatable {
    public var keyVersion: Int16
    public var type: ControlRecordType
    /// The raw value bytes (kept whole: newer versions may add fields).
    public var value: [UInt8]?
    /// The transaction coordinator's epoch from an abort/commit marker's value, when present.
    public var coordinatorEpoch: Int32?

    public init(_ record: Record) throws {
        guard let key = record.key else { throw KafkaCodecError(.unexpectedNull, offset: 0, path: ["Key"]) }
        var reader = WireReader(key)
        do {
            keyVersion = try reader.readInt16()
            type = ControlRecordType(rawValue: try reader.readInt16())
        } catch {
            throw error.within("Key")
        }
        value = record.value
        coordinatorEpoch = nil
        if let value, value.count >= 6, type == .abort || type == .commit {
            var valueReader = WireReader(value)
            _ = try valueReader.readInt16()
            coordinatorEpoch = try valueReader.readInt32()
        }
    }
}
