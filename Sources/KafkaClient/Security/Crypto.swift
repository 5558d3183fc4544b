import CKafkaTLS

/// The hash functions SCRAM uses, over OpenSSL's implementations.
public enum ScramHash: Sendable {
    /// SCRAM-SHA-1 exists only for RFC 5802's test vector; Kafka offers SHA-256 and SHA-512.
    case sha1, sha256, sha512

    var algorithm: Int32 {
        switch self {
        case .sha1: return 1
        case .sha256: return 256
        case .sha512: return 512
        }
    }

    public var length: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        }
    }

    public func digest(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        let n = data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { ktls_digest(algorithm, d.baseAddress, d.count, $0.baseAddress, $0.count) }
        }
        return Array(out[0..<n])
    }

    public func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        let n = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer {
                    ktls_hmac(algorithm, k.baseAddress, k.count, d.baseAddress, d.count, $0.baseAddress, $0.count)
                }
            }
        }
        return Array(out[0..<n])
    }

    /// PBKDF2-HMAC with this hash: SCRAM's Hi(password, salt, iterations).
    public func pbkdf2(password: [UInt8], salt: [UInt8], iterations: UInt32, length: Int? = nil) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length ?? self.length)
        let ok = password.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer {
                    ktls_pbkdf2(algorithm, p.baseAddress, p.count, s.baseAddress, s.count, iterations, $0.baseAddress, $0.count)
                }
            }
        }
        return ok == 1 ? out : []
    }
}

enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { ktls_random($0.baseAddress, $0.count) }
        if ok != 1 {
            // OpenSSL's generator failing is a broken system; a weaker nonce beats none.
            var generator = SystemRandomNumberGenerator()
            for i in out.indices { out[i] = generator.next() }
        }
        return out
    }
}
