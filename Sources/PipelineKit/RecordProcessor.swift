import Foundation
import KafkaClient
import KafkaProtocol
import PipelineModels

/// One record to publish.
public struct OutgoingRecord: Sendable, Equatable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [RecordHeader]

    public init(topic: String, key: String?, value: [UInt8], headers: [RecordHeader] = []) {
        self.topic = topic
        self.key = key.map { Array($0.utf8) }
        self.value = value
        self.headers = headers
    }
}

/// Where a processor sends its outputs. Each output counts against the source record: its
/// offset is committed only once all of them are acknowledged.
public struct OutputSink: Sendable {
    let publish: @Sendable (OutgoingRecord) async throws -> Void

    public init(_ publish: @escaping @Sendable (OutgoingRecord) async throws -> Void) {
        self.publish = publish
    }

    public func callAsFunction(_ record: OutgoingRecord) async throws {
        try await publish(record)
    }
}

/// A stage's logic: turns one consumed record into outputs. Throw `ProcessingError.permanent`
/// for a bad message (dead-lettered at once) and `.transient` for what a retry may fix; a
/// retried record may emit its outputs again (at-least-once).
public protocol RecordProcessor: Sendable {
    func process(_ record: ConsumerRecord, emit: OutputSink) async throws
}

extension ConsumerRecord {
    /// The first header named `name`, as UTF-8 text.
    public func header(_ name: String) -> String? {
        guard let value = headers.first(where: { $0.key == name })?.value else { return nil }
        return String(validating: value, as: UTF8.self)
    }

    public var keyText: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }

    /// The value read as pipeline message `M`: a missing value or one that breaks `M`'s schema
    /// is a permanent failure (dead-lettered at once; retrying cannot fix it).
    public func message<M: PipelineMessage>(_ type: M.Type) throws -> M {
        guard let value else { throw ProcessingError.permanent("record has no value") }
        do {
            return try M.decodeStrict(from: Data(value))
        } catch {
            throw ProcessingError.permanent("invalid \(topic) message: \(error)")
        }
    }
}
