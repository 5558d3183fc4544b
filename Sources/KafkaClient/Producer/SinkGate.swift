import Synchronization

/// Keeps Produce requests to one broker in the order the sender built them: each request takes
/// a ticket when built, waits for its turn before it is handed to the connection, and passes
/// the turn on once the connection has fixed its place. So a partition's batches reach the
/// broker in sequence order even though their requests run in separate tasks.
final class SinkGate: Sendable {
    private struct State {
        var issued: UInt64 = 0
        var turn: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    func ticket() -> UInt64 {
        state.withLock { state in
            defer { state.issued += 1 }
            return state.issued
        }
    }

    func waitTurn(_ ticket: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.turn >= ticket { return true }
                state.waiters[ticket] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Ends `ticket`'s turn (a no-op unless it is the current one, so calling twice is safe).
    func pass(_ ticket: UInt64) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.turn == ticket else { return nil }
            state.turn += 1
            return state.waiters.removeValue(forKey: state.turn)
        }
        next?.resume()
    }
}

/// A ticket that passes its turn exactly once, from whichever path gets there first.
final class SinkTicket: Sendable {
    let gate: SinkGate
    let number: UInt64
    init(gate: SinkGate) {
        self.gate = gate
        self.number = gate.ticket()
    }
    func pass() { gate.pass(number) }
}
