import Synchronization

/// Wakes the sender: a one-slot latch with an optional deadline. Spurious wake-ups are harmless
/// (the sender re-examines its batches), missed ones are not, so a signal with no waiter is kept.
final class SenderSignal: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.signalled = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when signalled or at `deadline` (monotonic ns; UInt64.max: no deadline).
    func wait(until deadline: UInt64) async {
        let now = IOLoop.monotonicNanos()
        if deadline <= now { return }
        // The timer is a child of nothing: cancelled as soon as the wait ends.
        let timer: Task<Void, Never>? = deadline == .max ? nil : Task { [weak self] in
            do { try await Task.sleep(nanoseconds: deadline - now) } catch { return }
            self?.signal()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.signalled {
                    state.signalled = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer?.cancel()
    }
}
