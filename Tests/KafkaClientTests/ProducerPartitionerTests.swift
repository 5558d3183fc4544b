import Foundation
import KafkaClient
import Testing

@Suite struct ProducerPartitionerTests {
    static let vectorsFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/kafka-message-specs/murmur2-vectors.csv")

    @Test func murmur2MatchesTheJavaClientVectors() throws {
        let text = try String(contentsOf: Self.vectorsFile, encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n").dropFirst() where !line.isEmpty {
            guard let comma = line.lastIndex(of: ",") else { continue }
            let key = String(line[..<comma])
            let expected = try #require(Int32(line[line.index(after: comma)...].trimmingCharacters(in: .whitespaces)))
            #expect(Partitioner.murmur2(Array(key.utf8)) == expected, "murmur2(\(key))")
            checked += 1
        }
        #expect(checked == 6)
    }

    @Test func keyedPartitionIsPositiveMurmur2ModuloCount() {
        // murmur2("foobar") = -790332482; & 0x7fffffff = 1357151166.
        #expect(Partitioner.partition(forKey: Array("foobar".utf8), partitionCount: 7) == Int32(1357151166 % 7))
        #expect(Partitioner.partition(forKey: [], partitionCount: 3) == Int32((Int(Partitioner.murmur2([])) & 0x7fffffff) % 3))
    }
}
