import Testing
@testable import KafkaProtocol

@Suite struct FrameDecoderTests {
    @Test func framesArriveInAnyPieces() throws {
        let frames: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 7, count: 300)]
        let stream = frames.flatMap(makeFrame)
        // Feed one byte at a time: nothing is returned early, everything is returned once.
        var decoder = FrameDecoder()
        var out: [[UInt8]] = []
        for byte in stream {
            decoder.append([byte])
            while let frame = try decoder.next() { out.append(frame) }
        }
        #expect(out == frames)
        #expect(decoder.isAtFrameBoundary)
    }

    @Test func partialFrameWaits() throws {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 5, 1, 2])
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 6)
        decoder.append([3, 4, 5])
        #expect(try decoder.next() == [1, 2, 3, 4, 5])
    }

    @Test func oversizedFrameFailsBeforeBuffering() {
        var decoder = FrameDecoder(maxFrameSize: 1024)
        decoder.append([0, 0, 0x10, 0x01])
        do {
            _ = try decoder.next()
            Issue.record("expected an error")
        } catch let error as KafkaCodecError {
            #expect(error.kind == .lengthExceedsLimit(length: 4097, limit: 1024))
        } catch {
            Issue.record("wrong error \(error)")
        }
    }

    @Test func negativeSizeIsAnError() {
        var decoder = FrameDecoder()
        decoder.append([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaCodecError.self) { try decoder.next() }
    }

    @Test func httpBytesOnAKafkaPortAreRejected() {
        // "GET " read as a size is 1.2 GB: beyond the default limit, so it fails at once.
        var decoder = FrameDecoder()
        decoder.append(Array("GET / HTTP/1.1\r\n".utf8))
        #expect(throws: KafkaCodecError.self) { try decoder.next() }
    }
}
