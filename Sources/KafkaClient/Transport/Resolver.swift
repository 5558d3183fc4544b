import Dispatch
import Glibc

/// DNS resolution off the cooperative pool (getaddrinfo blocks).
enum Resolver {
    struct Address: @unchecked Sendable {
        let family: Int32
        let storage: [UInt8]
        var length: socklen_t { socklen_t(storage.count) }
    }

    static func resolve(host: String, port: Int) async throws -> [Address] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try resolveBlocking(host: host, port: port) })
            }
        }
    }

    static func resolveBlocking(host: String, port: Int) throws -> [Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &result)
        guard code == 0, let first = result else {
            throw TransportError.resolveFailed(host: host, detail: String(cString: gai_strerror(code)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let addr = info.pointee.ai_addr {
                let bytes = Array(UnsafeRawBufferPointer(start: addr, count: Int(info.pointee.ai_addrlen)))
                addresses.append(Address(family: info.pointee.ai_family, storage: bytes))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
