import CKafkaTLS

// Why OpenSSL rather than BoringSSL from swift-nio-ssl: swift-nio-ssl exposes TLS only as a
// NIO ChannelHandler, so using it would mean running our connections on NIO's event loops
// (or copying its vendored BoringSSL privately); our transport is one poll(2) thread over
// plain sockets. Debian's OpenSSL is already on every machine we target, is patched by the
// distribution, and its memory BIOs let our own loop do all I/O while OpenSSL only
// transforms bytes. It also gives SCRAM its PBKDF2 and HMAC.

/// A client TLS context (trusted CAs, optional client certificate): shareable across threads.
final class TLSContext: @unchecked Sendable {
    let handle: OpaquePointer
    let configuration: TLSConfiguration

    /// Loads the CA file (or the system roots) and the client certificate and key.
    init(_ configuration: TLSConfiguration) throws(TLSSetupError) {
        var reason = [CChar](repeating: 0, count: 512)
        let made = reason.withUnsafeMutableBufferPointer { buffer in
            ktls_ctx_new(configuration.caLocation, configuration.certificateLocation, configuration.keyLocation,
                         buffer.baseAddress, buffer.count)
        }
        guard let made else { throw TLSSetupError(detail: Self.string(reason)) }
        self.handle = made
        self.configuration = configuration
    }

    deinit { ktls_ctx_free(handle) }

    static func string(_ chars: [CChar]) -> String {
        let bytes = chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

struct TLSSetupError: Error {
    let detail: String
}

/// One TLS client connection over memory BIOs. Ciphertext from the socket goes in with `feed`;
/// ciphertext for the socket comes out of `takeCiphertext`. Not thread-safe: it lives on the
/// I/O loop thread with its `SocketChannel`.
final class TLSStream {
    private let handle: OpaquePointer
    private let context: TLSContext
    private var plaintext = [UInt8](repeating: 0, count: 64 * 1024)
    private var ciphertext = [UInt8](repeating: 0, count: 64 * 1024)

    init(context: TLSContext, host: String) throws(TLSSetupError) {
        var reason = [CChar](repeating: 0, count: 512)
        let made = reason.withUnsafeMutableBufferPointer { buffer in
            ktls_conn_new(context.handle, host, context.configuration.verifyHostname ? 1 : 0, buffer.baseAddress, buffer.count)
        }
        guard let made else { throw TLSSetupError(detail: TLSContext.string(reason)) }
        self.handle = made
        self.context = context
    }

    deinit { ktls_conn_free(handle) }

    var protocolVersion: String { String(cString: ktls_conn_version(handle)) }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = ktls_feed(handle, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// One handshake step: true once complete, false while it needs more bytes from the peer.
    func handshake() throws(TLSStreamError) -> Bool {
        switch ktls_handshake(handle) {
        case Int32(KTLS_OK): return true
        case Int32(KTLS_WANT_MORE): return false
        default: throw failure()
        }
    }

    /// Encrypts `bytes`; the records wait in `takeCiphertext`.
    func encrypt(_ bytes: [UInt8]) throws(TLSStreamError) {
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBufferPointer { ktls_write(handle, $0.baseAddress, $0.count) }
        if written < 0 { throw failure() }
    }

    /// Everything OpenSSL wants sent, in order.
    func takeCiphertext() -> [UInt8] {
        var out: [UInt8] = []
        while ktls_pending_output(handle) > 0 {
            let n = ciphertext.withUnsafeMutableBufferPointer { ktls_take_output(handle, $0.baseAddress, $0.count) }
            if n == 0 { break }
            out.append(contentsOf: ciphertext[0..<n])
        }
        return out
    }

    /// Hands every decryptable byte to `deliver`; returns false when the peer closed the TLS session.
    func decrypt(_ deliver: (UnsafeRawBufferPointer) -> Bool) throws(TLSStreamError) -> Bool {
        while true {
            let n = plaintext.withUnsafeMutableBufferPointer { ktls_read(handle, $0.baseAddress, $0.count) }
            if n > 0 {
                let keepGoing = plaintext.withUnsafeBytes { deliver(UnsafeRawBufferPointer(rebasing: $0[0..<Int(n)])) }
                if !keepGoing { return true }
                continue
            }
            switch n {
            case Int32(KTLS_WANT_MORE): return true
            case Int32(KTLS_CLOSED): return false
            default: throw failure()
            }
        }
    }

    private func failure() -> TLSStreamError {
        var reason = [CChar](repeating: 0, count: 256)
        let kind = reason.withUnsafeMutableBufferPointer { ktls_conn_failure(handle, $0.baseAddress, $0.count) }
        let cause: TLSFailureCause
        switch kind {
        case Int32(KTLS_FAIL_VERIFY): cause = .certificateVerifyFailed
        case Int32(KTLS_FAIL_HOSTNAME): cause = .hostnameMismatch
        case Int32(KTLS_FAIL_NOT_TLS): cause = .notTLS
        case Int32(KTLS_FAIL_ALERT): cause = .alertFromPeer
        default: cause = .other
        }
        return TLSStreamError(cause: cause, detail: TLSContext.string(reason))
    }
}

struct TLSStreamError: Error {
    let cause: TLSFailureCause
    let detail: String
}
