/// Why a TLS connection failed, sorted so the message can name the likely fix.
public enum TLSFailureCause: String, Sendable, Equatable {
    /// The broker's certificate chain does not lead to a trusted CA (wrong CA file, expired…).
    case certificateVerifyFailed
    /// The certificate is trusted but names another host.
    case hostnameMismatch
    /// The bytes that came back are not TLS records: a plaintext listener.
    case notTLS
    /// The broker closed the connection before the handshake finished.
    case closedDuringHandshake
    /// The handshake finished on our side, then the broker hung up before answering anything:
    /// with TLS 1.3 that is how a refused client certificate often looks.
    case closedAfterHandshake
    /// No handshake answer within the connect timeout.
    case handshakeTimedOut
    /// The broker sent a fatal alert (for instance, it rejected our client certificate).
    case alertFromPeer
    /// CA, certificate or key files could not be used.
    case configuration
    case other

    /// A trust or configuration problem does not fix itself by reconnecting.
    public var isRetriable: Bool {
        switch self {
        case .closedDuringHandshake, .other: return true
        default: return false
        }
    }

    func describe(peer: String, detail: String) -> String {
        switch self {
        case .certificateVerifyFailed:
            return "TLS handshake with \(peer) failed: certificate verify failed (\(detail)): is the CA location right?"
        case .hostnameMismatch:
            return "TLS handshake with \(peer) failed: hostname mismatch: the broker's certificate does not name the host we connected to (\(detail))"
        case .notTLS:
            return "TLS handshake with \(peer) failed: the answer is not TLS (\(detail)): not TLS on this port?"
        case .closedDuringHandshake:
            return "\(peer) closed the connection during the TLS handshake: not TLS on this port, or our client certificate was refused?"
        case .closedAfterHandshake:
            return "\(peer) closed the connection right after the TLS handshake: does it require a client certificate, or not trust ours? (or SASL expected?)"
        case .handshakeTimedOut:
            return "no TLS handshake answer from \(peer) within \(detail): not TLS on this port?"
        case .alertFromPeer:
            return "\(peer) refused the TLS handshake (\(detail)): does it require a client certificate or trust ours?"
        case .configuration:
            return "TLS configuration for \(peer) is unusable: \(detail)"
        case .other:
            return "TLS with \(peer) failed: \(detail)"
        }
    }
}
