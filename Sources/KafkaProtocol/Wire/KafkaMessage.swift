/// What every generated message type is: a value for all versions of one spec message,
/// encoded and decoded for a version chosen at the call.
public protocol KafkaMessage: Sendable, Equatable {
    /// The spec's name, e.g. "MetadataRequest".
    static var messageName: String { get }
    /// The api key for requests and responses; nil for headers and data structures.
    static var apiKey: Int16? { get }
    static var validVersions: VersionRange { get }
    static var flexibleVersions: VersionRange { get }

    /// Every field at its spec default.
    init()
    /// Decodes the body for `version`, reading exactly the fields that version carries.
    init(from reader: inout WireReader, version: Int16) throws
    /// Encodes for `version`. Throws `fieldNotInVersion` when a field holds a non-default
    /// value that `version` cannot carry and the spec does not mark it ignorable.
    func encode(to writer: inout WireWriter, version: Int16) throws
    /// The fields `version` carries, as a generic tree with the spec's field names.
    func describe(version: Int16) -> WireValue
}

extension KafkaMessage {
    /// Decodes a whole buffer. Bytes left after the body are not an error (real clients send
    /// them); they are reported through `trailingBytes`.
    public static func decode(_ bytes: [UInt8], version: Int16) throws -> (message: Self, trailingBytes: Int) {
        var reader = WireReader(bytes)
        let message = try Self(from: &reader, version: version)
        return (message, reader.remaining)
    }

    public func encoded(version: Int16) throws -> [UInt8] {
        var writer = WireWriter()
        try encode(to: &writer, version: version)
        return writer.bytes
    }
}

/// A request message, tied to the response type that answers it.
public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaMessage
}
