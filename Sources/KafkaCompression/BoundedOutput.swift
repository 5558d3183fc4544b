/// A growing output buffer that refuses to pass `limit`: decompressors append chunk by chunk,
/// so a bomb fails as soon as it would exceed the limit, whatever sizes the input claims.
struct BoundedOutput {
    var bytes: [UInt8] = []
    let limit: Int
    let codec: CompressionCodec

    init(codec: CompressionCodec, limit: Int, expectedInputSize: Int) {
        self.codec = codec
        self.limit = max(0, limit)
        // A modest guess from the input size, capped by the limit; never from a size field.
        bytes.reserveCapacity(min(self.limit, max(1024, expectedInputSize.multipliedReportingOverflow(by: 4).partialValue)))
    }

    mutating func append(_ chunk: UnsafeBufferPointer<UInt8>) throws(CompressionError) {
        try checkRoom(chunk.count)
        bytes.append(contentsOf: chunk)
    }

    func checkRoom(_ count: Int) throws(CompressionError) {
        if count > limit - bytes.count { throw .outputLimitExceeded(codec: codec, limit: limit) }
    }
}

/// Size of the scratch chunk streaming decompressors write into before appending.
let decompressionChunkSize = 64 * 1024
