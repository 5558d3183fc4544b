import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT/SIGTERM into a callback on a Dispatch queue, where taking locks is safe (unlike inside
/// a signal handler). Dispatch sources see the signal although its default action is switched off.
public enum StopSignals {
    // Sources must outlive the call; only written once, before any signal can arrive.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    public static func handle(_ onStop: @escaping @Sendable (Int32) -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { onStop(sig) }
            source.resume()
            sources.append(source)
        }
    }
}
