import KafkaClient

/// How a record that failed is retried: `maxAttempts` tries in all, waiting
/// `baseDelayMs · 2^(n-1)` (capped at 30 s) with ±25 % jitter before try n+1.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelayMs: Int
    public var maxDelayMs = 30_000

    public init(maxAttempts: Int, baseDelayMs: Int) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelayMs = max(0, baseDelayMs)
    }

    /// The delay before the attempt after `failedAttempt` (1-based), before jitter.
    public func nominalDelayMs(afterAttempt failedAttempt: Int) -> Int {
        let shift = min(max(failedAttempt - 1, 0), 20)
        return min(maxDelayMs, baseDelayMs << shift)
    }

    /// `nominalDelayMs` with ±25 % jitter, so that many consumers retrying together spread out.
    public func delayMs<G: RandomNumberGenerator>(afterAttempt failedAttempt: Int, using generator: inout G) -> Int {
        let nominal = nominalDelayMs(afterAttempt: failedAttempt)
        guard nominal > 0 else { return 0 }
        let spread = nominal / 4
        return nominal + Int.random(in: -spread...spread, using: &generator)
    }
}

/// What a processor throws to say whether retrying can help. Other errors are judged by
/// `ProcessingError.isTransient(_:)`.
public enum ProcessingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Retrying may help (a file system or network blip, a busy store).
    case transient(String)
    /// The message itself is bad: retrying will not help, dead-letter it.
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let message), .permanent(let message): return message
        }
    }

    /// Transient: `.transient`, retriable Kafka errors, and errors that say so themselves.
    public static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as ProcessingError:
            if case .transient = error { return true }
            return false
        case let error as KafkaClientError:
            return error.isRetriable
        case let error as any TransientJudged:
            return error.isTransient
        default:
            return false
        }
    }
}

/// Errors that know whether retrying can help (e.g. the graph store's).
public protocol TransientJudged: Error {
    var isTransient: Bool { get }
}
