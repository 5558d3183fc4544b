import Foundation

/// Writes every frame to its own file and one JSON line per frame to `frames.jsonl`.
/// One lock orders the global sequence numbers and makes a stop wait for the frame in flight.
public final class FrameStore: @unchecked Sendable {
    public enum Direction: String, Sendable { case request, response }

    public struct Entry: Codable, Sendable {
        public let file: String
        public let direction: String
        public let apiKey: Int
        public let apiVersion: Int
        public let correlationId: Int
        public let connection: Int
        public let sequence: Int
        public let client: String
        public let broker: String
        public let size: Int
    }

    private let directory: URL
    private let clientLabel: String
    private let brokerLabel: String
    private let lock = NSLock()
    private var nextSequence = 0
    private var log: FileHandle?
    private let encoder: JSONEncoder

    public init(directory: URL, clientLabel: String, brokerLabel: String) throws {
        self.directory = directory
        self.clientLabel = clientLabel
        self.brokerLabel = brokerLabel
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logURL = directory.appendingPathComponent("frames.jsonl")
        // Continue numbering after an earlier session in the same directory.
        if let existing = try? String(contentsOf: logURL, encoding: .utf8) {
            nextSequence = existing.split(separator: "\n").count
        } else {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        log = try FileHandle(forWritingTo: logURL)
        log?.seekToEndOfFile()
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Records one frame; apiKey/apiVersion are -1 for a response no request explains.
    public func record(
        frame: [UInt8], direction: Direction, apiKey: Int, apiVersion: Int,
        correlationId: Int, connection: Int
    ) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let log else { return }  // stopped: drop frames arriving during shutdown
        let sequence = nextSequence
        nextSequence += 1
        let key = apiKey >= 0 ? String(apiKey) : "unknown"
        let digits = String(sequence)
        let padded = String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        let name = "\(padded)-\(key)-v\(apiVersion)-\(direction.rawValue).bin"
        try Data(frame).write(to: directory.appendingPathComponent(name))
        let entry = Entry(
            file: name, direction: direction.rawValue, apiKey: apiKey, apiVersion: apiVersion,
            correlationId: correlationId, connection: connection, sequence: sequence,
            client: clientLabel, broker: brokerLabel, size: frame.count)
        var line = try encoder.encode(entry)
        line.append(0x0A)
        log.write(line)
    }

    /// Flushes and closes the log; later frames are ignored.
    public func close() -> Int {
        lock.lock()
        defer { lock.unlock() }
        try? log?.synchronize()
        try? log?.close()
        log = nil
        return nextSequence
    }
}
