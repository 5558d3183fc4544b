import ArgumentParser
import Foundation
import KafkaProtocol

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print a captured Kafka frame as JSON.",
        discussion: """
        FILE holds one frame with its 4-byte size prefix (as `kafka-admin record` writes) or \
        several such frames back to back; with --raw, one bare payload without the prefix. \
        Requests name their api in their header; responses do not, so give --api-key and \
        --api-version.

        Field names are the spec's; record batches are expanded with offsets, timestamps, keys, \
        values, headers and codec; bytes print as text when they are UTF-8, else {"base64": …}.
        Malformed input exits with status 1 and says what went wrong, where (byte offset) and in \
        which field.

        Examples:
          kafka-admin decode Fixtures/frames/rdkafka-produce-gzip/00004-0-v7-request.bin --request
          kafka-admin decode reply.bin --response --api-key 3 --api-version 12
          kafka-admin decode body.bin --raw --request
        """
    )

    @Argument(help: "The file to decode ('-' reads standard input).")
    var file: String

    @Flag(name: .customLong("request"), help: "The file holds a request.")
    var isRequest = false

    @Flag(name: .customLong("response"), help: "The file holds a response (needs --api-key, --api-version).")
    var isResponse = false

    @Option(name: .customLong("api-key"), help: "The api key of the request this response answers.")
    var apiKey: Int16?

    @Option(name: .customLong("api-version"), help: "The version of the request this response answers.")
    var apiVersion: Int16?

    @Flag(name: .customLong("raw"), help: "The file is one payload without the 4-byte size prefix.")
    var isRaw = false

    @Option(name: .customLong("max-frame-size"), help: "Reject frames larger than this many bytes.")
    var maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize

    func validate() throws {
        guard isRequest != isResponse else { throw ValidationError("say --request or --response") }
        if isResponse && (apiKey == nil || apiVersion == nil) {
            throw ValidationError("--response needs --api-key and --api-version (a response does not name its api)")
        }
    }

    func run() throws {
        let bytes = try readInput()
        let inspector = FrameInspector()
        var outputs: [JSONValue] = []
        for (index, payload) in try splitFrames(bytes).enumerated() {
            do {
                if isRequest {
                    let frame = try RequestFrame.decode(payload)
                    warnTrailing(frame.trailingBytes, index: index)
                    outputs.append(inspector.json(request: frame))
                } else if let apiKey, let apiVersion {
                    let frame = try ResponseFrame.decode(payload, apiKey: apiKey, apiVersion: apiVersion)
                    warnTrailing(frame.trailingBytes, index: index)
                    outputs.append(inspector.json(response: frame))
                }
            } catch let error as KafkaCodecError {
                throw DecodeFailure(message: "frame \(index): \(error)")
            }
        }
        let json = outputs.count == 1 ? outputs[0] : .array(outputs)
        print(json.rendered())
        let failures = FrameInspector.recordFailures(in: json)
        if !failures.isEmpty {
            throw DecodeFailure(message: "records that do not decode:\n  " + failures.joined(separator: "\n  "))
        }
    }

    func readInput() throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DecodeFailure(message: "cannot read \(file)")
        }
        return Array(data)
    }

    /// The frames in the file, each checked against its size prefix.
    func splitFrames(_ bytes: [UInt8]) throws -> [[UInt8]] {
        if isRaw {
            guard bytes.count <= maxFrameSize else {
                throw DecodeFailure(message: "\(bytes.count) bytes exceed the maximum frame size \(maxFrameSize)")
            }
            return [bytes]
        }
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        decoder.append(bytes)
        var frames: [[UInt8]] = []
        do {
            while let frame = try decoder.next() { frames.append(frame) }
        } catch let error as KafkaCodecError {
            let hint = bytes.starts(with: Array("GET ".utf8)) || bytes.starts(with: Array("POST".utf8)) || bytes.starts(with: Array("HTTP".utf8))
                ? " (the bytes look like HTTP, not Kafka)" : " (is it a bare payload? try --raw)"
            throw DecodeFailure(message: "frame \(frames.count): \(error)\(hint)")
        }
        if !decoder.isAtFrameBoundary {
            let start = bytes.count - decoder.bufferedByteCount
            var claimed = 0
            for i in 0..<min(4, decoder.bufferedByteCount) { claimed = claimed << 8 | Int(bytes[start + i]) }
            let detail = decoder.bufferedByteCount < 4
                ? "\(decoder.bufferedByteCount) stray bytes where a 4-byte size prefix should start"
                : "its size prefix says \(claimed) bytes but only \(decoder.bufferedByteCount - 4) follow"
            throw DecodeFailure(message: "frame \(frames.count) is truncated (at byte \(start)): \(detail)")
        }
        return frames
    }

    func warnTrailing(_ count: Int, index: Int) {
        guard count > 0 else { return }
        FileHandle.standardError.write(Data("warning: frame \(index): \(count) bytes after the body (ignored, as Kafka's parsers do)\n".utf8))
    }
}

/// A decode failure for people: printed as `Error: …` by ArgumentParser, exit status 1.
struct DecodeFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
