import Foundation
import KafkaClient
import KafkaCompression
import KafkaProtocol
import Testing

@Suite struct ProducerTests {
    @Test func awaitingSendReturnsIncreasingOffsets() async throws {
        let broker = try await TansuBroker.shared()
        let topic = try await ProducerTestSupport.makeTopic(broker)
        let producer = try KafkaProducer(configuration: ProducerTestSupport.configuration(broker))
        var offsets: [Int64] = []
        for i in 0..<5 {
            let metadata = try await producer.send(topic: topic, value: "v\(i)")
            #expect(metadata.topic == topic && metadata.partition == 0)
            offsets.append(metadata.offset)
        }
        await producer.close()
        #expect(offsets == Array(offsets[0]..<offsets[0] + 5))
        let fetched = try await ProducerTestSupport.fetch(broker, topic: topic, partition: 0, count: 5)
        #expect(fetched.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == (0..<5).map { "v\($0)" })
    }
}
