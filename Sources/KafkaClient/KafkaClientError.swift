import KafkaProtocol

/// The one error type the client surfaces. Each case says where (broker, topic/partition),
/// what (a Kafka error code and whether retrying can help) and the likely cause.
public enum KafkaClientError: Error, Sendable, CustomStringConvertible {
    /// The socket layer failed: refused, closed, timed out, not Kafka.
    case transport(TransportError)
    /// The broker answered with an error code.
    case broker(KafkaErrorCode, broker: String, context: String)
    case partition(KafkaErrorCode, topic: String, partition: Int32, broker: String?)
    /// A response that breaks the protocol (wrong type, undecodable bytes).
    case protocolViolation(broker: String, detail: String)
    case unsupportedApi(name: String, broker: String)
    case unknownTopic(String)
    case noBrokerReachable([String])
    case timedOut(String)
    case invalidConfiguration(String)
    /// SASL authentication was refused (wrong credentials, unknown user, mechanism not
    /// enabled). Not retriable: the connection is closed and the client does not reconnect.
    case authenticationFailed(broker: String, mechanism: String, username: String, detail: String)
    case closed

    public var isRetriable: Bool {
        switch self {
        case let .transport(error):
            switch error {
            case .resolveFailed, .notKafka, .closedRightAfterConnect: return false
            case let .tlsFailed(_, cause, _): return cause.isRetriable
            default: return true
            }
        case let .broker(code, _, _), let .partition(code, _, _, _): return code.isRetriable
        case .noBrokerReachable, .timedOut: return true
        default: return false
        }
    }

    public var errorCode: KafkaErrorCode? {
        switch self {
        case let .broker(code, _, _), let .partition(code, _, _, _): return code
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .transport(error): return error.description
        case let .broker(code, broker, context): return "\(context) failed on \(broker): \(code.name): \(code.message)"
        case let .partition(code, topic, partition, broker):
            return "\(topic)[\(partition)]\(broker.map { " on \($0)" } ?? ""): \(code.name): \(code.message)"
        case let .protocolViolation(broker, detail): return "\(broker) broke the protocol: \(detail)"
        case let .unsupportedApi(name, broker): return "\(broker) supports no version of \(name) that this client knows"
        case let .unknownTopic(topic): return "topic \(topic) does not exist"
        case let .noBrokerReachable(errors): return "no broker reachable: " + errors.joined(separator: "; ")
        case let .timedOut(what): return "\(what) timed out"
        case let .invalidConfiguration(detail): return "invalid configuration: \(detail)"
        case let .authenticationFailed(broker, mechanism, username, detail):
            return "authentication failed on \(broker) (\(mechanism) as user \"\(username)\"): \(detail)"
        case .closed: return "the client is closed"
        }
    }
}
