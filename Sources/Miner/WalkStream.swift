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
        let slots = Slots(bufferSize)
        continuation.onTermination = { _ in slots.close() }
        let walker = self.walker
        let thread = Thread {
            WalkStream.producers.add(1)
            defer { WalkStream.producers.add(-1) }
            for entry in walker {
                guard slots.acquire() else { break }
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
        let slots: Slots

        public mutating func next() async -> WalkEntry? {
            let entry = await inner.next()
            if entry != nil { slots.release() }
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

/// Free buffer slots between the producer thread and the consumer. (Not DispatchSemaphore:
/// libdispatch traps when a semaphore is released below its initial value, which is exactly
/// the state an abandoned stream leaves behind.)
final class Slots: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: Int
    private var closed = false

    init(_ count: Int) { free = count }

    /// Waits for a free slot; false once the consumer has gone.
    func acquire() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while free == 0 && !closed { condition.wait() }
        if closed { return false }
        free -= 1
        return true
    }

    func release() {
        condition.lock()
        free += 1
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
