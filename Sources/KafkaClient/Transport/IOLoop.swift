import Glibc
import Synchronization

/// One thread that owns socket I/O for many connections: poll(2) for readiness, non-blocking
/// reads and writes. Blocking system calls never run on Swift's cooperative pool; callers
/// hand work to this thread with `execute` and are resumed through continuations.
///
/// Everything a `SocketChannel` holds is touched only on this thread.
final class IOLoop: Sendable {
    static let shared = IOLoop(name: "kafka-io")

    private struct Shared: ~Copyable {
        var pending: [@Sendable () -> Void] = []
        var running = true
    }

    private let shared = Mutex(Shared())
    /// A pipe whose read end is polled; writing a byte wakes the loop.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    // Loop-thread state; `nonisolated(unsafe)` because only the loop thread touches it.
    nonisolated(unsafe) private var channels: [Int32: SocketChannel] = [:]
    nonisolated(unsafe) private var timers: [ObjectIdentifier: @Sendable (UInt64) -> Void] = [:]

    init(name: String) {
        var ends: [Int32] = [0, 0]
        if pipe(&ends) != 0 { fatalError("kafka-io: cannot create wake pipe (errno \(errno))") }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = ends[0]
        wakeWrite = ends[1]
        let thread = LoopThread(loop: self)
        thread.start(name: name)
    }

    /// Runs `work` on the loop thread soon.
    func execute(_ work: @escaping @Sendable () -> Void) {
        shared.withLock { $0.pending.append(work) }
        wake()
    }

    private func wake() {
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)
    }

    // MARK: loop-thread API

    func register(_ channel: SocketChannel) { channels[channel.fd] = channel }
    func unregister(_ channel: SocketChannel) { channels[channel.fd] = nil }

    /// Calls `tick` with the monotonic time in nanoseconds on every loop turn (at least every
    /// 20 ms); connections use it for request and connect deadlines.
    func addTimer(_ owner: AnyObject, _ tick: @escaping @Sendable (UInt64) -> Void) {
        timers[ObjectIdentifier(owner)] = tick
    }

    func removeTimer(_ owner: AnyObject) { timers[ObjectIdentifier(owner)] = nil }

    fileprivate func run() {
        var fds: [pollfd] = []
        var readBuffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let work: [@Sendable () -> Void] = shared.withLock { state in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return state.pending
            }
            for item in work { item() }

            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            for channel in channels.values {
                fds.append(pollfd(fd: channel.fd, events: channel.interest, revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), 20)
            if ready < 0 && errno != EINTR { continue }
            if fds[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            for entry in fds.dropFirst() where entry.revents != 0 {
                guard let channel = channels[entry.fd] else { continue }
                channel.handle(events: entry.revents, buffer: &readBuffer)
            }
            let now = IOLoop.monotonicNanos()
            for tick in Array(timers.values) { tick(now) }
        }
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// The pthread that runs an `IOLoop` forever (the shared loop lives for the process).
private final class LoopThread: @unchecked Sendable {
    let loop: IOLoop
    init(loop: IOLoop) { self.loop = loop }

    func start(name: String) {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let me = Unmanaged<LoopThread>.fromOpaque(raw!).takeRetainedValue()
            me.loop.run()
            return nil
        }, box.toOpaque())
        if result == 0 {
            pthread_detach(thread)
        } else {
            box.release()
        }
    }
}
