import Foundation
import KafkaProtocol
import Testing

@Suite("CRC32C and CRC32")
struct RecordsChecksumTests {
    @Test("check values for \"123456789\"")
    func checkValues() {
        let input = Array("123456789".utf8)
        #expect(CRC32C.checksum(input) == 0xE306_9283)
        #expect(CRC32C.softwareChecksum(input) == 0xE306_9283)
        #expect(CRC32.checksum(input) == 0xCBF4_3926)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("hardware and table paths agree at every length and alignment")
    func pathsAgree() {
        var random = RecordsRandom(state: 1)
        let data = random.bytes(70_000)
        for length in Array(0..<300) + [767, 768, 769, 24_575, 24_576, 24_577, 60_000] {
            for start in 0..<3 {
                let slice = Array(data[start..<(start + length)])
                #expect(CRC32C.checksum(slice) == CRC32C.softwareChecksum(slice), "length \(length) start \(start)")
            }
        }
    }

    @Test("continuing over pieces equals the whole")
    func continuing() {
        var random = RecordsRandom(state: 2)
        let data = random.bytes(50_000)
        let whole = CRC32C.checksum(data)
        let first = CRC32C.checksum(Array(data[..<12_345]))
        #expect(CRC32C.checksum(Array(data[12_345...]), continuing: first) == whole)
        let legacyFirst = CRC32.checksum(Array(data[..<777]))
        #expect(CRC32.checksum(Array(data[777...]), continuing: legacyFirst) == CRC32.checksum(data))
    }

    @Test("matches Python (kafka-python's crc32c, zlib.crc32) on random data")
    func matchesPython() throws {
        var random = RecordsRandom(state: 3)
        let sizes = [1, 7, 8, 100, 1000, 4096, 100_000, 1_000_003]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crc-\(UUID().uuidString)")
        let blobs = sizes.map { random.bytes($0) }
        try Data(blobs.flatMap { $0 }).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import sys, zlib
        from kafka.record._crc32c import crc
        data = open(sys.argv[1], 'rb').read()
        pos = 0
        for n in map(int, sys.argv[2:]):
            blob = data[pos:pos + n]; pos += n
            print(crc(blob), zlib.crc32(blob))
        """
        let output = try recordsRunPython(script, [file.path] + sizes.map(String.init))
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == sizes.count)
        for (line, blob) in zip(lines, blobs) {
            let parts = line.split(separator: " ").compactMap { UInt32($0) }
            #expect(parts == [CRC32C.checksum(blob), CRC32.checksum(blob)])
        }
    }
}
