import Glibc

/// What went wrong below the Kafka protocol, with a message that names the likely cause.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case resolveFailed(host: String, detail: String)
    case connectFailed(peer: String, errno: Int32)
    case connectTimedOut(peer: String, milliseconds: Int)
    /// The broker closed the connection. Right after connecting, that usually means it
    /// expected TLS or SASL first.
    case closedByPeer(peer: String)
    case closedRightAfterConnect(peer: String)
    case connectionReset(peer: String, detail: String)
    /// The first bytes back were not a Kafka frame: e.g. "HTTP/1.1" means an HTTP port.
    case notKafka(peer: String, detail: String)
    case requestTimedOut(peer: String, apiKey: Int16, milliseconds: Int)
    case unexpectedCorrelationId(peer: String, got: Int32)
    /// The TLS handshake (or a TLS record later) failed; `cause` names why.
    case tlsFailed(peer: String, cause: TLSFailureCause, detail: String)
    case closed

    public var description: String {
        switch self {
        case let .resolveFailed(host, detail): return "cannot resolve \(host): \(detail)"
        case let .connectFailed(peer, code):
            let reason = String(cString: strerror(code))
            if code == ECONNREFUSED { return "connection to \(peer) refused: is a broker listening on that port?" }
            return "cannot connect to \(peer): \(reason)"
        case let .connectTimedOut(peer, ms): return "connecting to \(peer) timed out after \(ms) ms"
        case let .closedByPeer(peer): return "\(peer) closed the connection"
        case let .closedRightAfterConnect(peer):
            return "\(peer) closed the connection right after connect: TLS or SASL expected?"
        case let .connectionReset(peer, detail): return "connection to \(peer) failed: \(detail)"
        case let .notKafka(peer, detail): return "\(peer) does not answer like a Kafka broker: \(detail)"
        case let .requestTimedOut(peer, key, ms): return "request (api key \(key)) to \(peer) timed out after \(ms) ms"
        case let .unexpectedCorrelationId(peer, got):
            return "\(peer) answered correlation id \(got), which no request is waiting for"
        case let .tlsFailed(peer, cause, detail): return cause.describe(peer: peer, detail: detail)
        case .closed: return "connection closed"
        }
    }
}
