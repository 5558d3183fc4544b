import Foundation
import KafkaProtocol

/// The recorded frames under `Fixtures/frames` and what the recording peers said about them
/// (`manifest.json`, written by `scripts/fixtures/record-all.sh`).
struct Fixture: Sendable, CustomStringConvertible {
    let file: String
    let scenario: String
    let direction: String
    let apiKey: Int16
    let apiVersion: Int16
    let client: String
    let broker: String

    var isRequest: Bool { direction == "request" }

    /// A version above what Apache Kafka's specs (our source) define for this api.
    var isBeyondOurSpecs: Bool {
        guard let api = KafkaApis.api(forKey: apiKey) else { return false }
        return apiVersion > api.validVersions.highest
    }
    var description: String { file }

    /// The frame file's bytes, checked to be exactly one size-prefixed frame; returns the payload.
    func payload() throws -> [UInt8] {
        let bytes = try FixtureCatalog.read(FixtureCatalog.framesDirectory.appendingPathComponent(file))
        var decoder = FrameDecoder()
        decoder.append(bytes)
        guard let frame = try decoder.next(), decoder.isAtFrameBoundary else {
            throw FixtureError("\(file) is not exactly one size-prefixed frame")
        }
        return frame
    }

    /// Decodes the payload the way a reader of this direction would.
    func decode(_ payload: [UInt8]) throws -> DecodedFrame {
        if isRequest {
            let frame = try RequestFrame.decode(payload)
            return DecodedFrame(
                tree: frame.body.describe(version: frame.apiVersion),
                trailingBytes: frame.trailingBytes,
                reencode: { try frame.encode() })
        }
        let frame = try ResponseFrame.decode(payload, apiKey: apiKey, apiVersion: apiVersion)
        return DecodedFrame(
            tree: frame.body.describe(version: frame.apiVersion),
            trailingBytes: frame.trailingBytes,
            reencode: { try frame.encode() })
    }
}

struct DecodedFrame {
    let tree: WireValue
    let trailingBytes: Int
    let reencode: () throws -> [UInt8]
}

/// One thing a recording peer knows about what it sent or got: at least one frame of that
/// api and direction in the scenario must show all of it.
struct Expectation: Sendable, CustomStringConvertible {
    let scenario: String
    let apiKey: Int16
    let direction: String
    let strings: [String]
    let errorCodes: [Int16]
    let records: RecordFacts?

    var description: String { "\(scenario) api \(apiKey) \(direction)" }
}

struct RecordFacts: Sendable {
    let codec: String?
    let count: Int?
    let firstKey: String?
    let firstValue: String?
    let firstHeaders: [[String]]?
    /// 0 or 1 for legacy message sets; nil means v2 record batches.
    let magic: Int?
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum FixtureCatalog {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let framesDirectory = root.appendingPathComponent("Fixtures/frames")

    static func read(_ url: URL) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError("cannot read \(url.path)")
        }
        return Array(data)
    }

    nonisolated(unsafe) static let manifest: [String: Any] = {
        let url = framesDirectory.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return [:]
        }
        return object
    }()

    static let fixtures: [Fixture] = {
        let frames = manifest["frames"] as? [[String: Any]] ?? []
        return frames.compactMap { entry in
            guard let file = entry["file"] as? String,
                  let direction = entry["direction"] as? String,
                  let key = entry["apiKey"] as? Int,
                  let version = entry["apiVersion"] as? Int else { return nil }
            return Fixture(
                file: file, scenario: entry["scenario"] as? String ?? "",
                direction: direction, apiKey: Int16(key), apiVersion: Int16(version),
                client: entry["client"] as? String ?? "", broker: entry["broker"] as? String ?? "")
        }
    }()

    static let expectations: [Expectation] = {
        let entries = manifest["expectations"] as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard let scenario = entry["scenario"] as? String,
                  let key = entry["apiKey"] as? Int,
                  let direction = entry["direction"] as? String else { return nil }
            var facts: RecordFacts?
            if let records = entry["records"] as? [String: Any] {
                facts = RecordFacts(
                    codec: records["codec"] as? String,
                    count: records["count"] as? Int,
                    firstKey: records["firstKey"] as? String,
                    firstValue: records["firstValue"] as? String,
                    firstHeaders: records["firstHeaders"] as? [[String]],
                    magic: records["magic"] as? Int)
            }
            return Expectation(
                scenario: scenario, apiKey: Int16(key), direction: direction,
                strings: entry["strings"] as? [String] ?? [],
                errorCodes: (entry["errorCodes"] as? [Int] ?? []).map { Int16($0) },
                records: facts)
        }
    }()
}
