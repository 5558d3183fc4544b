/// The records of a consumer, in fetch order per partition. Ends after `close()`; throws a
/// `KafkaClientError` when a partition's data cannot be read. Iterate from one task at a time.
public struct ConsumerRecords: AsyncSequence, Sendable {
    public typealias Element = ConsumerRecord
    public typealias Failure = KafkaClientError

    let state: ConsumerState

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = ConsumerRecord
        public typealias Failure = KafkaClientError

        let state: ConsumerState

        public mutating func next() async throws(KafkaClientError) -> ConsumerRecord? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaClientError) -> ConsumerRecord? {
            while true {
                switch state.next() {
                case let .record(record): return record
                case let .failure(error): throw error
                case .end: return nil
                case .wait:
                    if Task.isCancelled { return nil }
                    await state.waitForRecords()
                }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(state: state) }
}
