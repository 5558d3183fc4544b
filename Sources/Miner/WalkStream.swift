import Dispatch
import Foundation

extension RepositoryWalker {
    /// The walk as an AsyncSequence. The blocking directory reads and hashing run on a dedicated
    /// thread, off Swift's cooperative pool, and at most `bufferSize` entries wait unconsumed:
    /// the thread pauses until the consumer catches up, so memory stays bounded on huge trees.
    /// Ending the iteration early (break, task cancellation) stops the thread.
    public func stream(bufferSize: Int = 64) -> WalkStream {
        WalkStream(walker: self, bufferSize: Swift.max(1, bufferSize))
    }
}

public struct WalkStream: AsyncSequence, Sendable {
    public typealias Element = WalkEntry
    let walker: RepositoryWalker
    let bufferSize: Int

    public func makeAsyncIterator() -> Iterator {
        let (stream, continuation) = AsyncStream<WalkEntry>.makeStream(bufferingPolicy: .unbounded)
        let slots = DispatchSemaphore(value: bufferSize)
        let stop = StopFlag()
        continuation.onTermination = { _ in
            stop.set()
            slots.signal() // wake the producer if it waits for space
        }
        let walker = self.walker
        let thread = Thread {
            WalkStream.producers.add(1)
            defer { WalkStream.producers.add(-1) }
            for entry in walker {
                slots.wait()
                if stop.isSet { break }
                continuation.yield(entry)
            }
            continuation.finish()
        }
        thread.name = "repository-walker"
        thread.start()
        return Iterator(inner: stream.makeAsyncIterator(), slots: slots)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var inner: AsyncStream<WalkEntry>.AsyncIterator
        let slots: DispatchSemaphore

        public mutating func next() async -> WalkEntry? {
            let entry = await inner.next()
            if entry != nil { slots.signal() }
            return entry
        }
    }
}

extension WalkStream {
    /// Producer threads alive, so tests can prove that abandoned streams stop their thread.
    static let producers = Counter()
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }
    func add(_ n: Int) { lock.withLock { count += n } }
}

/// Set once by the consumer side, read by the producer thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
