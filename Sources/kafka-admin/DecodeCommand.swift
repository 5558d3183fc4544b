import ArgumentParser
import Foundation
import KafkaProtocol

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print a captured Kafka frame as JSON.",
        discussion: """
        FILE holds one frame with its 4-byte size prefix (as `kafka-admin record` writes), \
        several such frames back to back, or a bare payload without the prefix. Requests name \
        their api in their header; responses do not, so give --api-key and --api-version.

        Field names are the spec's; record batches are expanded with offsets, timestamps, keys, \
        values, headers and codec; bytes print as text when they are UTF-8, else {"base64": …}.
        Malformed input exits with status 1 and says what went wrong, where (byte offset) and in \
        which field.

        Examples:
          kafka-admin decode Fixtures/frames/rdkafka-produce-gzip/00004-0-v7-request.bin --request
          kafka-admin decode reply.bin --response --api-key 3 --api-version 12
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
    }

    func readInput() throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DecodeFailure(message: "cannot read \(file)")
        }
        return Array(data)
    }

    /// Frames back to back when their size prefixes tile the file exactly; otherwise the
    /// whole file is one bare payload.
    func splitFrames(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        decoder.append(bytes)
        var frames: [[UInt8]] = []
        while let frame = try? decoder.next() { frames.append(frame) }
        if !frames.isEmpty && decoder.isAtFrameBoundary { return frames }
        if bytes.count > maxFrameSize {
            throw DecodeFailure(message: "\(bytes.count) bytes exceed the maximum frame size \(maxFrameSize)")
        }
        return [bytes]
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
