import Foundation
import Glibc
import KafkaProtocol
import Synchronization

/// A TCP proxy of the tests' own between the client and a broker. It relays Kafka frames (4-byte
/// size prefix) one at a time, so a test's rule can let a frame through, replace it, or cut the
/// connection part-way through it. Blocking sockets on dedicated threads: nothing here runs on
/// Swift's cooperative pool.
final class FaultProxy: Sendable {
    enum Direction: Sendable { case request, response }

    struct Frame: Sendable {
        var direction: Direction
        var apiKey: Int16
        var apiVersion: Int16
        var correlationId: Int32
        /// 1-based count of frames with this direction and api key through this proxy so far.
        var ordinal: Int
        /// Header and body, without the size prefix.
        var payload: [UInt8]
    }

    enum Action: Sendable {
        case forward
        case replace([UInt8])
        /// Writes the size prefix and this many payload bytes, then closes both sides.
        case cut(afterBytes: Int)
    }

    typealias Rule = @Sendable (Frame) -> Action

    let port: Int
    let upstreamHost: String
    let upstreamPort: Int
    private let listener: Int32
    private let rule: Mutex<Rule>
    private let counters = Mutex<[String: Int]>([:])
    private let sockets = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)
    /// Rewrites broker addresses in Metadata and FindCoordinator answers (a proxy per broker).
    let addressMap = Mutex<[Int: Int]>([:])
    /// What the rules did, for the test's report.
    let cuts = Atomic<Int>(0)
    let replaced = Atomic<Int>(0)

    init(upstreamHost: String = "127.0.0.1", upstreamPort: Int, rule: @escaping Rule = { _ in .forward }) throws {
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
        self.rule = Mutex(rule)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BrokerStartError("proxy: socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw BrokerStartError("proxy: cannot listen on loopback")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "fault-proxy-accept"
        thread.start()
    }

    func setRule(_ rule: @escaping Rule) { self.rule.withLock { $0 = rule } }

    /// Stops accepting and closes every relayed connection. The accept thread closes the
    /// listener once accept(2) fails: closing it here could hand its descriptor number to
    /// another test's socket while that thread still accepts on it.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        sockets.withLock { s in for fd in s { shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    deinit { stop() }

    // MARK: relaying

    private func acceptLoop() {
        defer { close(listener) }
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            guard let upstream = Self.connect(host: upstreamHost, port: upstreamPort) else {
                close(client)
                continue
            }
            sockets.withLock { $0.formUnion([client, upstream]) }
            let pair = Pair()
            let up = Thread { [self] in
                relay(from: client, to: upstream, direction: FaultProxy.Direction.request, pair: pair)
                end(client, upstream, pair)
            }
            let down = Thread { [self] in
                relay(from: upstream, to: client, direction: FaultProxy.Direction.response, pair: pair)
                end(client, upstream, pair)
            }
            up.start()
            down.start()
        }
    }

    /// What the two directions of one relayed connection share.
    private final class Pair: Sendable {
        /// Api key and version of each request awaiting its answer, by correlation id.
        let pending = Mutex<[Int32: (Int16, Int16)]>([:])
        let running = Mutex(2)
    }

    private func relay(from source: Int32, to sink: Int32, direction: Direction, pair: Pair) {
        while let payload = Self.readFrame(source) {
            guard payload.count >= 8 || (direction == .response && payload.count >= 4) else { return }
            let correlationId: Int32
            let apiKey: Int16, apiVersion: Int16
            if direction == .request {
                apiKey = Self.int16(payload, 0)
                apiVersion = Self.int16(payload, 2)
                correlationId = Self.int32(payload, 4)
                pair.pending.withLock { $0[correlationId] = (apiKey, apiVersion) }
            } else {
                correlationId = Self.int32(payload, 0)
                // Produce acks=0 has no entry; such frames pass untouched as api -1.
                (apiKey, apiVersion) = pair.pending.withLock { $0.removeValue(forKey: correlationId) } ?? (-1, -1)
            }
            let ordinal = counters.withLock { c -> Int in
                let key = "\(direction)-\(apiKey)"
                c[key, default: 0] += 1
                return c[key]!
            }
            var out = payload
            if direction == .response { out = rewriteAddresses(out, apiKey: apiKey, apiVersion: apiVersion) }
            let frame = Frame(direction: direction, apiKey: apiKey, apiVersion: apiVersion, correlationId: correlationId,
                              ordinal: ordinal, payload: out)
            switch rule.withLock({ $0 })(frame) {
            case .forward:
                guard Self.write(sink, Self.sizePrefix(out.count) + out) else { return }
            case let .replace(bytes):
                replaced.add(1, ordering: .relaxed)
                guard Self.write(sink, Self.sizePrefix(bytes.count) + bytes) else { return }
            case let .cut(n):
                cuts.add(1, ordering: .relaxed)
                _ = Self.write(sink, Self.sizePrefix(out.count) + out.prefix(max(0, min(n, out.count))))
                return
            }
        }
    }

    /// Either direction ending ends the pair (shutdown wakes the other thread's read); the
    /// second to finish closes both, so no descriptor is touched after it may have been reused.
    private func end(_ a: Int32, _ b: Int32, _ pair: Pair) {
        shutdown(a, Int32(SHUT_RDWR))
        shutdown(b, Int32(SHUT_RDWR))
        let last = pair.running.withLock { n -> Bool in
            n -= 1
            return n == 0
        }
        guard last else { return }
        sockets.withLock { s in
            s.remove(a)
            s.remove(b)
            close(a)
            close(b)
        }
    }

    /// Points Metadata and FindCoordinator answers at the proxies instead of the brokers.
    private func rewriteAddresses(_ payload: [UInt8], apiKey: Int16, apiVersion: Int16) -> [UInt8] {
        let map = addressMap.withLock { $0 }
        guard !map.isEmpty, apiKey == 3 || apiKey == 10,
              var frame = try? ResponseFrame.decode(payload, apiKey: apiKey, apiVersion: apiVersion) else { return payload }
        if var body = frame.body as? MetadataResponse {
            for i in body.brokers.indices {
                if let port = map[Int(body.brokers[i].port)] { body.brokers[i].port = Int32(port) }
            }
            frame.body = body
        } else if var body = frame.body as? FindCoordinatorResponse {
            if let port = map[Int(body.port)] { body.port = Int32(port) }
            for i in body.coordinators.indices {
                if let port = map[Int(body.coordinators[i].port)] { body.coordinators[i].port = Int32(port) }
            }
            frame.body = body
        }
        return (try? frame.encode()) ?? payload
    }

    // MARK: sockets

    static func connect(host: String, port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !ok {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let prefix = readExactly(fd, 4) else { return nil }
        let size = Int(int32(prefix, 0))
        guard size >= 0, size <= 256 * 1024 * 1024 else { return nil }
        return readExactly(fd, size)
    }

    static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + done, count - done, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return bytes
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    static func sizePrefix(_ n: Int) -> [UInt8] { withUnsafeBytes(of: Int32(n).bigEndian) { Array($0) } }
    static func int16(_ b: [UInt8], _ at: Int) -> Int16 { Int16(bitPattern: UInt16(b[at]) << 8 | UInt16(b[at + 1])) }
    static func int32(_ b: [UInt8], _ at: Int) -> Int32 {
        Int32(bitPattern: UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3]))
    }
}

/// Proxies in front of every broker of a cluster, with broker addresses in Metadata and
/// FindCoordinator answers rewritten so that the client only ever talks through them.
final class ProxiedCluster: Sendable {
    let proxies: [FaultProxy]

    init(bootstrap: String, rule: @escaping FaultProxy.Rule = { _ in .forward }) throws {
        var proxies: [FaultProxy] = []
        for item in bootstrap.split(separator: ",") {
            guard let colon = item.lastIndex(of: ":"), let port = Int(item[item.index(after: colon)...]) else {
                throw BrokerStartError("proxy: bad address \(item)")
            }
            proxies.append(try FaultProxy(upstreamHost: String(item[..<colon]), upstreamPort: port, rule: rule))
        }
        let map = Dictionary(uniqueKeysWithValues: proxies.map { ($0.upstreamPort, $0.port) })
        for proxy in proxies { proxy.addressMap.withLock { $0 = map } }
        self.proxies = proxies
    }

    var bootstrap: String { proxies.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") }
    var cuts: Int { proxies.reduce(0) { $0 + $1.cuts.load(ordering: .relaxed) } }
    func setRule(_ rule: @escaping FaultProxy.Rule) { for proxy in proxies { proxy.setRule(rule) } }
    func stop() { for proxy in proxies { proxy.stop() } }
}

/// Frame surgery for the bad-input tests.
enum FrameFaults {
    /// The same response under another correlation id.
    static func wrongCorrelationId(_ payload: [UInt8]) -> [UInt8] {
        var bytes = payload
        let id = FaultProxy.int32(payload, 0) &+ 1_000_000
        withUnsafeBytes(of: id.bigEndian) { for i in 0..<4 { bytes[i] = $0[i] } }
        return bytes
    }

    /// The Fetch response with one byte flipped inside the first non-empty partition's records
    /// (past the batch header, so the CRC no longer matches); nil when no records came back.
    static func corruptRecords(_ frame: FaultProxy.Frame) -> [UInt8]? {
        guard let decoded = try? ResponseFrame.decode(frame.payload, apiKey: 1, apiVersion: frame.apiVersion),
              let body = decoded.body as? FetchResponse,
              let records = body.responses.lazy.flatMap(\.partitions).compactMap(\.records).first(where: { $0.count > 80 })
        else { return nil }
        let needle = Array(records.prefix(64))
        guard let start = firstIndex(of: needle, in: frame.payload) else { return nil }
        var bytes = frame.payload
        bytes[start + 70] ^= 0xFF
        return bytes
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && Array(haystack[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }
}
