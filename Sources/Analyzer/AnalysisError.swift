/// A file the analyzer could not read as its language. Reported as `{"error": description}`.
public struct AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based line where the problem starts, when known.
    public var line: Int?

    public init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    public var description: String {
        line.map { "\(message) (line \($0))" } ?? message
    }
}
