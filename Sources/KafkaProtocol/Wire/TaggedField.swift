/// A tagged field this codec does not know (a newer peer's). Kept raw so that a decoded
/// message re-encodes to the same bytes.
public struct UnknownTaggedField: Sendable, Hashable {
    public var tag: UInt32
    public var data: [UInt8]

    public init(tag: UInt32, data: [UInt8]) {
        self.tag = tag
        self.data = data
    }
}
