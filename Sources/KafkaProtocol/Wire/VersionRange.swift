/// An inclusive range of message versions as the specs write them: "0-3", "4+", "none".
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public let lowest: Int16
    public let highest: Int16

    public init(_ lowest: Int16, _ highest: Int16) {
        self.lowest = lowest
        self.highest = highest
    }

    /// "N+" in the specs.
    public static func from(_ lowest: Int16) -> VersionRange { VersionRange(lowest, Int16.max) }
    /// "none" in the specs.
    public static let none = VersionRange(1, 0)
    public static let all = VersionRange(0, Int16.max)

    public var isEmpty: Bool { lowest > highest }

    @inlinable
    public func contains(_ version: Int16) -> Bool { version >= lowest && version <= highest }

    public func intersection(_ other: VersionRange) -> VersionRange {
        let low = max(lowest, other.lowest), high = min(highest, other.highest)
        return low <= high ? VersionRange(low, high) : .none
    }

    /// Parses the spec notation. Returns nil on anything else.
    public init?(spec: String) {
        let text = spec.trimmingSpaces
        if text == "none" { self = .none; return }
        if text.hasSuffix("+"), let low = Int16(text.dropLast()) { self = .from(low); return }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let v = Int16(parts[0]) { self.init(v, v); return }
        if parts.count == 2, let low = Int16(parts[0]), let high = Int16(parts[1]), low <= high {
            self.init(low, high)
            return
        }
        return nil
    }

    public var description: String {
        if isEmpty { return "none" }
        if highest == Int16.max { return "\(lowest)+" }
        return lowest == highest ? "\(lowest)" : "\(lowest)-\(highest)"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
