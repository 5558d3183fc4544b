import CLZ4

/// LZ4 in the frame format (what Kafka means by lz4 since KIP-57): independent 64 KiB blocks.
/// Reads any valid frame (with or without content size and checksums) and concatenated frames.
enum LZ4Frame {
    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentSize = UInt64(input.count)
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var error = 0
        // Uninitialised output: no zero-fill of the whole bound, and the pages LZ4 never writes
        // (most of them, for compressible records) are never faulted in.
        let output = [UInt8](unsafeUninitializedCapacity: bound) { outBuf, count in
            let written = input.withUnsafeBytes { inBuf in
                LZ4F_compressFrame(outBuf.baseAddress, outBuf.count, inBuf.baseAddress, inBuf.count, &preferences)
            }
            if LZ4F_isError(written) != 0 {
                error = written
                count = 0
            } else {
                count = written
            }
        }
        if error != 0 {
            throw .compressionFailed(codec: .lz4, message: String(cString: LZ4F_getErrorName(error)))
        }
        return output
    }

    static func decompress(_ input: ArraySlice<UInt8>, maxOutputSize: Int) throws(CompressionError) -> [UInt8] {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw .corrupt(codec: .lz4, message: "cannot create an LZ4 decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        guard !input.isEmpty else { throw .corrupt(codec: .lz4, message: "empty input") }
        var output = BoundedOutput(codec: .lz4, limit: maxOutputSize, expectedInputSize: input.count)
        var chunk = [UInt8](repeating: 0, count: decompressionChunkSize)
        let result: Result<Void, CompressionError> = input.withUnsafeBytes { inBuf in
            chunk.withUnsafeMutableBytes { chunkBuf in
                var position = 0
                var hint = 1
                while position < inBuf.count || hint != 0 {
                    var consumed = inBuf.count - position
                    var produced = chunkBuf.count
                    hint = LZ4F_decompress(context, chunkBuf.baseAddress, &produced,
                                           inBuf.baseAddress?.advanced(by: position), &consumed, nil)
                    if LZ4F_isError(hint) != 0 {
                        return .failure(.corrupt(codec: .lz4, message: String(cString: LZ4F_getErrorName(hint))))
                    }
                    position += consumed
                    do throws(CompressionError) {
                        try output.append(UnsafeBufferPointer(start: chunkBuf.baseAddress?.assumingMemoryBound(to: UInt8.self), count: produced))
                    } catch {
                        return .failure(error)
                    }
                    // Input used up, frame unfinished, nothing more coming out: truncated.
                    if hint != 0 && position >= inBuf.count && produced == 0 && consumed == 0 {
                        return .failure(.corrupt(codec: .lz4, message: "truncated frame"))
                    }
                }
                return .success(())
            }
        }
        try result.get()
        return output.bytes
    }
}
