import CSnappy

/// Snappy as Kafka uses it: the Java client writes xerial's framing (a 16-byte header, then
/// blocks of int32 big-endian length + raw snappy block); some clients write raw snappy. We
/// write xerial and read both.
enum Snappy {
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Uncompressed bytes per xerial block, as the Java client (32 KiB).
    static let xerialBlockSize = 32 * 1024
    /// Snappy's best case is a 3-byte copy producing 64 bytes; a claimed length beyond ~22x the
    /// compressed size is a lie, rejected before allocating.
    static let maxExpansion = 22

    static func compressXerial(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var output: [UInt8] = []
        let blocks = (input.count + xerialBlockSize - 1) / xerialBlockSize
        output.reserveCapacity(16 + blocks * (4 + snappy_max_compressed_length(xerialBlockSize)))
        output.append(contentsOf: xerialMagic)
        output.append(contentsOf: [0, 0, 0, 1, 0, 0, 0, 1])  // version 1, min compatible version 1
        var scratch = [UInt8](repeating: 0, count: snappy_max_compressed_length(xerialBlockSize))
        var start = 0
        while start < input.count {
            let end = min(start + xerialBlockSize, input.count)
            var compressedLength = scratch.count
            let status = input.withUnsafeBufferPointer { inBuf in
                scratch.withUnsafeMutableBufferPointer { out in
                    inBuf.baseAddress!.advanced(by: start).withMemoryRebound(to: CChar.self, capacity: end - start) { src in
                        out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: out.count) { dst in
                            snappy_compress(src, end - start, dst, &compressedLength)
                        }
                    }
                }
            }
            guard status == SNAPPY_OK else { throw .compressionFailed(codec: .snappy, message: "snappy status \(status.rawValue)") }
            let length = UInt32(compressedLength)
            output.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
            output.append(contentsOf: scratch[0..<compressedLength])
            start = end
        }
        return output
    }

    static func decompress(_ input: ArraySlice<UInt8>, maxOutputSize: Int) throws(CompressionError) -> [UInt8] {
        if input.count >= 16 && input.prefix(8).elementsEqual(xerialMagic) {
            return try decompressXerial(input, maxOutputSize: maxOutputSize)
        }
        var output = BoundedOutput(codec: .snappy, limit: maxOutputSize, expectedInputSize: 0)
        try appendRawBlock(input, to: &output)
        return output.bytes
    }

    private static func decompressXerial(_ input: ArraySlice<UInt8>, maxOutputSize: Int) throws(CompressionError) -> [UInt8] {
        var output = BoundedOutput(codec: .snappy, limit: maxOutputSize, expectedInputSize: input.count)
        var position = input.startIndex + 16  // magic, version, compatible version
        while position < input.endIndex {
            guard input.endIndex - position >= 4 else {
                throw .corrupt(codec: .snappy, message: "truncated xerial block length at byte \(position - input.startIndex)")
            }
            var length = 0
            for i in 0..<4 { length = length << 8 | Int(input[position + i]) }
            position += 4
            guard length <= input.endIndex - position else {
                throw .corrupt(codec: .snappy, message: "xerial block of \(length) bytes but \(input.endIndex - position) left")
            }
            try appendRawBlock(input[position..<(position + length)], to: &output)
            position += length
        }
        return output.bytes
    }

    /// Decompresses one raw snappy block onto `output`. The claimed length is checked against
    /// the limit and against snappy's maximum expansion before any allocation.
    private static func appendRawBlock(_ block: ArraySlice<UInt8>, to output: inout BoundedOutput) throws(CompressionError) {
        guard !block.isEmpty else { throw .corrupt(codec: .snappy, message: "empty snappy block") }
        let result: Result<Void, CompressionError> = block.withUnsafeBufferPointer { inBuf in
            inBuf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: inBuf.count) { src in
                var claimed = 0
                guard snappy_uncompressed_length(src, inBuf.count, &claimed) == SNAPPY_OK else {
                    return .failure(.corrupt(codec: .snappy, message: "invalid snappy length preamble"))
                }
                do throws(CompressionError) { try output.checkRoom(claimed) } catch { return .failure(error) }
                guard claimed <= inBuf.count.multipliedReportingOverflow(by: maxExpansion).partialValue else {
                    return .failure(.corrupt(codec: .snappy, message: "claimed length \(claimed) impossible for \(inBuf.count) input bytes"))
                }
                let before = output.bytes.count
                output.bytes.append(contentsOf: repeatElement(0, count: claimed))
                var written = claimed
                let status = output.bytes.withUnsafeMutableBufferPointer { out in
                    out.baseAddress!.advanced(by: before).withMemoryRebound(to: CChar.self, capacity: claimed) { dst in
                        snappy_uncompress(src, inBuf.count, dst, &written)
                    }
                }
                guard status == SNAPPY_OK, written == claimed else {
                    output.bytes.removeSubrange(before...)
                    return .failure(.corrupt(codec: .snappy, message: "snappy_uncompress failed (status \(status.rawValue))"))
                }
                return .success(())
            }
        }
        try result.get()
    }
}
