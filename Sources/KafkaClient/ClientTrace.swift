import Foundation

/// Opt-in diagnostics on stderr, like librdkafka's `debug=` contexts: `KAFKA_DEBUG=group`
/// (or `all`) prints each step of consumer-group membership with the member, generation and
/// error. Read once from the environment; off by default and free when off (the message is an
/// autoclosure). Never prints credentials: callers pass ids, codes and broker addresses only.
public enum ClientTrace {
    public enum Context: String, Sendable, CaseIterable {
        case group
    }

    static let enabled: Set<Context> = {
        guard let value = ProcessInfo.processInfo.environment["KAFKA_DEBUG"] else { return [] }
        let words = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if words.contains("all") { return Set(Context.allCases) }
        return Set(words.compactMap(Context.init(rawValue:)))
    }()

    public static func isOn(_ context: Context) -> Bool { enabled.contains(context) }

    static func log(_ context: Context, _ message: @autoclosure () -> String) {
        guard enabled.contains(context) else { return }
        let seconds = Date().timeIntervalSince1970
        let line = String(format: "%.3f", seconds) + " KAFKA_DEBUG \(context.rawValue): " + message() + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
