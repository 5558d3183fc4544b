import CZstd

/// Zstandard. Decompression streams, so frames without a content size (as librdkafka may
/// write them) work, and output stops at the limit whatever the frame header claims.
enum Zstd {
    static func compress(_ input: [UInt8], level: Int32 = 3) throws(CompressionError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let written = input.withUnsafeBytes { inBuf in
            output.withUnsafeMutableBytes { outBuf in
                ZSTD_compress(outBuf.baseAddress, outBuf.count, inBuf.baseAddress, inBuf.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw .compressionFailed(codec: .zstd, message: String(cString: ZSTD_getErrorName(written)))
        }
        output.removeSubrange(written...)
        return output
    }

    static func decompress(_ input: ArraySlice<UInt8>, maxOutputSize: Int) throws(CompressionError) -> [UInt8] {
        guard let context = ZSTD_createDCtx() else {
            throw .corrupt(codec: .zstd, message: "cannot create a zstd decompression context")
        }
        defer { ZSTD_freeDCtx(context) }
        // The window is allocated from the frame header: cap it near the output limit (at
        // least 8 MiB, which covers what producers write, at most zstd's default 128 MiB).
        var windowLog = 23
        while windowLog < 27 && (1 << windowLog) < maxOutputSize { windowLog += 1 }
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(windowLog))
        guard !input.isEmpty else { throw .corrupt(codec: .zstd, message: "empty input") }
        var output = BoundedOutput(codec: .zstd, limit: maxOutputSize, expectedInputSize: input.count)
        var chunk = [UInt8](repeating: 0, count: decompressionChunkSize)
        let result: Result<Void, CompressionError> = input.withUnsafeBytes { inBuf in
            chunk.withUnsafeMutableBytes { chunkBuf in
                var inBuffer = ZSTD_inBuffer(src: inBuf.baseAddress, size: inBuf.count, pos: 0)
                var remainingHint = 1
                while inBuffer.pos < inBuffer.size || remainingHint != 0 {
                    var outBuffer = ZSTD_outBuffer(dst: chunkBuf.baseAddress, size: chunkBuf.count, pos: 0)
                    let before = inBuffer.pos
                    remainingHint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    if ZSTD_isError(remainingHint) != 0 {
                        return .failure(.corrupt(codec: .zstd, message: String(cString: ZSTD_getErrorName(remainingHint))))
                    }
                    do throws(CompressionError) {
                        try output.append(UnsafeBufferPointer(start: chunkBuf.baseAddress?.assumingMemoryBound(to: UInt8.self), count: outBuffer.pos))
                    } catch {
                        return .failure(error)
                    }
                    // Input used up but the frame is unfinished and nothing more is flushing out.
                    if remainingHint != 0 && inBuffer.pos >= inBuffer.size && before == inBuffer.pos && outBuffer.pos < outBuffer.size {
                        return .failure(.corrupt(codec: .zstd, message: "truncated frame"))
                    }
                }
                return .success(())
            }
        }
        try result.get()
        return output.bytes
    }
}
