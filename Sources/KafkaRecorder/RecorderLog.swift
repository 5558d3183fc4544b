#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Diagnostics to stderr, one line each, unbuffered so they survive a kill.
enum RecorderLog {
    static func info(_ message: String) {
        let line = "kafka-admin record: \(message)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
