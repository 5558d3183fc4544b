import CZlib

/// gzip through zlib. Writes the gzip format (what Kafka's clients write); reads gzip or zlib
/// (auto-detected) and concatenated gzip members.
enum Gzip {
    static func compress(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws(CompressionError) -> [UInt8] {
        // zlib counts in 32-bit uInt; Kafka payloads are far below this.
        guard input.count <= Int(UInt32.max) else { throw .compressionFailed(codec: .gzip, message: "input over 4 GiB") }
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        var status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .compressionFailed(codec: .gzip, message: message(stream, status)) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var produced = 0
        status = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let result = deflate(&stream, Z_FINISH)
                produced = outBuf.count - Int(stream.avail_out)
                return result
            }
        }
        guard status == Z_STREAM_END else { throw .compressionFailed(codec: .gzip, message: message(stream, status)) }
        output.removeSubrange(produced...)
        return output
    }

    static func decompress(_ input: ArraySlice<UInt8>, maxOutputSize: Int) throws(CompressionError) -> [UInt8] {
        guard input.count <= Int(UInt32.max) else { throw .corrupt(codec: .gzip, message: "input over 4 GiB") }
        var stream = z_stream()
        // windowBits 15 + 32: detect the gzip or zlib header automatically.
        let initStatus = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .corrupt(codec: .gzip, message: message(stream, initStatus)) }
        defer { inflateEnd(&stream) }
        var output = BoundedOutput(codec: .gzip, limit: maxOutputSize, expectedInputSize: input.count)
        var chunk = [UInt8](repeating: 0, count: decompressionChunkSize)
        let result: Result<Void, CompressionError> = input.withUnsafeBufferPointer { inBuf in
            chunk.withUnsafeMutableBufferPointer { chunkBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                guard inBuf.count > 0 else { return .failure(.corrupt(codec: .gzip, message: "empty input")) }
                while true {
                    stream.next_out = chunkBuf.baseAddress
                    stream.avail_out = uInt(chunkBuf.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    let produced = chunkBuf.count - Int(stream.avail_out)
                    do throws(CompressionError) {
                        try output.append(UnsafeBufferPointer(rebasing: chunkBuf[0..<produced]))
                    } catch {
                        return .failure(error)
                    }
                    switch status {
                    case Z_STREAM_END:
                        // Another gzip member may follow (concatenated streams are valid gzip).
                        if stream.avail_in == 0 { return .success(()) }
                        guard inflateReset(&stream) == Z_OK else {
                            return .failure(.corrupt(codec: .gzip, message: "cannot reset for the next member"))
                        }
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR:
                        if stream.avail_in == 0 { return .failure(.corrupt(codec: .gzip, message: "truncated input")) }
                        // No progress with room in the output cannot happen; treat as corrupt.
                        if produced == 0 { return .failure(.corrupt(codec: .gzip, message: message(stream, status))) }
                    default:
                        return .failure(.corrupt(codec: .gzip, message: message(stream, status)))
                    }
                }
            }
        }
        try result.get()
        return output.bytes
    }

    private static func message(_ stream: z_stream, _ status: Int32) -> String {
        if let msg = stream.msg { return String(cString: msg) }
        return "zlib status \(status)"
    }
}
