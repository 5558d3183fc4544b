/// A decoded message as a generic tree, fields in wire order with the spec's names. Generated
/// messages describe themselves this way so tools (`kafka-admin decode`) and tests can walk any
/// message without knowing its type.
public indirect enum WireValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String?)
    case bytes([UInt8]?)
    case uuid(KafkaUUID)
    /// A `records` field: raw record batches (nil when null).
    case records([UInt8]?)
    case array([WireValue]?)
    case object([Field])

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: WireValue
        public init(_ name: String, _ value: WireValue) {
            self.name = name
            self.value = value
        }
    }

    /// The value of a named field of an object, or nil.
    public subscript(field name: String) -> WireValue? {
        guard case let .object(fields) = self else { return nil }
        return fields.first { $0.name == name }?.value
    }

    /// The unknown tagged fields of a struct, as the tree shows them.
    public static func unknownTags(_ fields: [UnknownTaggedField]) -> WireValue {
        .array(fields.map { .object([Field("tag", .int(Int64($0.tag))), Field("data", .bytes($0.data))]) })
    }
}
