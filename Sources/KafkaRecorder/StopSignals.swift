#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Turns SIGINT/SIGTERM into a callback on a dedicated thread, where taking locks is safe
/// (unlike inside a signal handler). Call before starting any other thread, so all inherit the mask.
public enum StopSignals {
    public static func handle(_ onStop: @escaping @Sendable (Int32) -> Void) {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let blocked = set
        Thread.detachNewThread {
            var waitSet = blocked
            var signal: Int32 = 0
            while sigwait(&waitSet, &signal) != 0 {}
            onStop(signal)
        }
    }
}
