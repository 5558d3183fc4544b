import Glibc

/// A non-blocking TCP socket driven by an `IOLoop`. Lives on the loop thread: every method
/// here is called there. Reports bytes, connection and closure to its handler.
///
/// With `tls` set, the channel runs the TLS handshake after the TCP connect (state
/// `handshaking`) and reports "connected" only once it completes; bytes in and out are then
/// decrypted and encrypted here, so the handler sees plaintext either way. OpenSSL works on
/// memory buffers: WANT_READ means "poll for POLLIN", and ciphertext it produces waits in
/// `outbound` like any other write, so POLLOUT interest follows from it.
final class SocketChannel: @unchecked Sendable {
    enum State { case connecting, handshaking, open, closed }

    protocol Handler: AnyObject {
        func channelDidConnect(_ channel: SocketChannel)
        func channel(_ channel: SocketChannel, didRead bytes: UnsafeRawBufferPointer)
        func channel(_ channel: SocketChannel, didCloseWith error: TransportError?)
    }

    let fd: Int32
    let peer: String
    private(set) var state: State = .connecting
    weak var handler: (any Handler)?
    private let loop: IOLoop
    private var outbound: [UInt8] = []
    private var outboundIndex = 0
    /// TLS over this socket, when the connection is SSL or SASL_SSL.
    var tls: TLSStream?
    /// Plaintext written before the TLS handshake finished.
    private var heldPlaintext: [UInt8] = []

    init(fd: Int32, peer: String, loop: IOLoop) {
        self.fd = fd
        self.peer = peer
        self.loop = loop
    }

    var interest: Int16 {
        switch state {
        case .connecting: return Int16(POLLOUT)
        case .handshaking, .open: return Int16(POLLIN) | (outboundIndex < outbound.count ? Int16(POLLOUT) : 0)
        case .closed: return 0
        }
    }

    var pendingWriteBytes: Int { outbound.count - outboundIndex }

    /// Writes bytes at once when nothing is queued before them (straight from the caller's
    /// buffer: a 1 MB Produce request is not copied first); what the socket does not take
    /// waits for POLLOUT.
    func write(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        if let tls {
            guard state == .open else {
                heldPlaintext.append(contentsOf: bytes)
                return
            }
            do {
                try tls.encrypt(bytes)
            } catch {
                close(error: .tlsFailed(peer: peer, cause: error.cause, detail: error.detail))
                return
            }
            queueOutbound(tls.takeCiphertext())
            return
        }
        queueOutbound(bytes)
    }

    private func queueOutbound(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if outboundIndex == outbound.count {
            outbound.removeAll(keepingCapacity: true)
            outboundIndex = 0
        }
        var sent = 0
        if state == .open && outbound.isEmpty {
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { raw in send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL)) }
                if n > 0 {
                    sent += n
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    break
                } else {
                    close(error: .connectionReset(peer: peer, detail: String(cString: strerror(errno))))
                    return
                }
            }
            if sent == bytes.count { return }
        }
        outbound.append(contentsOf: bytes[sent...])
        if state == .open || state == .handshaking { flush() }
    }

    func handle(events: Int16, buffer: inout [UInt8]) {
        if state == .connecting {
            finishConnect()
            return
        }
        if events & Int16(POLLIN) != 0 || events & Int16(POLLHUP) != 0 {
            readAvailable(buffer: &buffer)
        }
        if isLive && events & Int16(POLLOUT) != 0 { flush() }
        if isLive && events & Int16(POLLERR | POLLNVAL) != 0 {
            close(error: .connectionReset(peer: peer, detail: "socket error"))
        }
    }

    private func finishConnect() {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            close(error: .connectFailed(peer: peer, errno: error))
            return
        }
        if tls != nil {
            state = .handshaking
            advanceHandshake()
            return
        }
        state = .open
        handler?.channelDidConnect(self)
        if state == .open && pendingWriteBytes > 0 { flush() }
    }

    private var isLive: Bool { state == .open || state == .handshaking }

    // MARK: TLS

    private func advanceHandshake() {
        guard let tls else { return }
        let done: Bool
        do {
            done = try tls.handshake()
        } catch {
            close(error: .tlsFailed(peer: peer, cause: error.cause, detail: error.detail))
            return
        }
        queueOutbound(tls.takeCiphertext())
        guard done, state == .handshaking else { return }
        state = .open
        handler?.channelDidConnect(self)
        guard state == .open else { return }
        if !heldPlaintext.isEmpty {
            let held = heldPlaintext
            heldPlaintext = []
            write(held)
        }
        // Application data may have arrived in the same read as the handshake's last flight.
        decryptAvailable()
    }

    private func receivedCiphertext(_ bytes: UnsafeRawBufferPointer) {
        guard let tls else { return }
        tls.feed(bytes)
        if state == .handshaking {
            advanceHandshake()
        } else if state == .open {
            decryptAvailable()
        }
    }

    private func decryptAvailable() {
        guard let tls else { return }
        do {
            let open = try tls.decrypt { plain in
                handler?.channel(self, didRead: plain)
                return state == .open
            }
            if !open {
                close(error: .closedByPeer(peer: peer))
                return
            }
        } catch {
            close(error: .tlsFailed(peer: peer, cause: error.cause, detail: error.detail))
            return
        }
        // Reading can produce records to send (TLS 1.3 key updates).
        if state == .open { queueOutbound(tls.takeCiphertext()) }
    }

    private func readAvailable(buffer: inout [UInt8]) {
        while isLive {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.withUnsafeBytes { raw in
                    let received = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                    if tls != nil {
                        receivedCiphertext(received)
                    } else {
                        handler?.channel(self, didRead: received)
                    }
                }
                if n < buffer.count { return }
            } else if n == 0 {
                close(error: state == .handshaking
                      ? .tlsFailed(peer: peer, cause: .closedDuringHandshake, detail: "end of stream")
                      : .closedByPeer(peer: peer))
                return
            } else {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                close(error: .connectionReset(peer: peer, detail: String(cString: strerror(errno))))
                return
            }
        }
    }

    private func flush() {
        while outboundIndex < outbound.count {
            let n = outbound.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outboundIndex, raw.count - outboundIndex, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outboundIndex += n
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return
            } else {
                close(error: .connectionReset(peer: peer, detail: String(cString: strerror(errno))))
                return
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 4 * 1024 * 1024)
        outboundIndex = 0
    }

    /// Closes the socket once; the handler hears why (nil for a close we asked for).
    func close(error: TransportError?) {
        guard state != .closed else { return }
        var error = error
        if state == .handshaking, case let .connectionReset(_, detail)? = error {
            error = .tlsFailed(peer: peer, cause: .closedDuringHandshake, detail: detail)
        }
        state = .closed
        loop.unregister(self)
        Glibc.close(fd)
        outbound = []
        outboundIndex = 0
        heldPlaintext = []
        tls = nil
        handler?.channel(self, didCloseWith: error)
    }
}
