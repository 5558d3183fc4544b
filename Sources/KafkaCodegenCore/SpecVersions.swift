/// A spec version range ("0-3", "4+", "none"), with the same semantics as KafkaProtocol's
/// `VersionRange`. Kept separate so the generator never depends on the code it generates.
public struct SpecVersions: Sendable, Hashable, CustomStringConvertible {
    public let lowest: Int
    public let highest: Int

    /// Highest value of "N+" ranges: Int16.max, as on the wire.
    public static let open = Int(Int16.max)
    public static let none = SpecVersions(1, 0)
    public static let all = SpecVersions(0, open)

    public init(_ lowest: Int, _ highest: Int) {
        self.lowest = lowest
        self.highest = highest
    }

    /// Parses the spec notation; nil on anything else.
    public init?(spec: String) {
        let text = spec.trimmingCharacters(in: " ")
        if text == "none" { self = .none; return }
        if text.hasSuffix("+") {
            guard let low = Int16(text.dropLast()), low >= 0 else { return nil }
            self.init(Int(low), SpecVersions.open)
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let v = Int16(parts[0]), v >= 0 { self.init(Int(v), Int(v)); return }
        if parts.count == 2, let low = Int16(parts[0]), let high = Int16(parts[1]), low >= 0, low <= high {
            self.init(Int(low), Int(high))
            return
        }
        return nil
    }

    public var isEmpty: Bool { lowest > highest }

    public func contains(_ version: Int) -> Bool { version >= lowest && version <= highest }

    public func contains(_ other: SpecVersions) -> Bool {
        other.isEmpty || (other.lowest >= lowest && other.highest <= highest)
    }

    public func intersection(_ other: SpecVersions) -> SpecVersions {
        let low = max(lowest, other.lowest), high = min(highest, other.highest)
        return low <= high ? SpecVersions(low, high) : .none
    }

    /// The smallest range covering both (used for structs reached through several fields).
    public func hull(_ other: SpecVersions) -> SpecVersions {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return SpecVersions(min(lowest, other.lowest), max(highest, other.highest))
    }

    /// `self` minus `other`, when the result is one range (nil when it would split in two).
    public func subtracting(_ other: SpecVersions) -> SpecVersions? {
        let common = intersection(other)
        if common.isEmpty { return self }
        if common == self { return SpecVersions.none }
        if common.lowest == lowest { return SpecVersions(common.highest + 1, highest) }
        if common.highest == highest { return SpecVersions(lowest, common.lowest - 1) }
        return nil
    }

    public var description: String {
        if isEmpty { return "none" }
        if highest == SpecVersions.open { return "\(lowest)+" }
        return lowest == highest ? "\(lowest)" : "\(lowest)-\(highest)"
    }

    /// Swift source building the equivalent `VersionRange`.
    var swiftExpression: String {
        if isEmpty { return "VersionRange.none" }
        if highest == SpecVersions.open { return "VersionRange.from(\(lowest))" }
        return "VersionRange(\(lowest), \(highest))"
    }

    /// A Swift condition on `version` true exactly for the versions of `self` within `context`
    /// ("true"/"false" when it does not depend on the version there).
    func condition(within context: SpecVersions, variable: String = "version") -> String {
        let common = intersection(context)
        if common.isEmpty { return "false" }
        var parts: [String] = []
        if common.lowest > context.lowest { parts.append("\(variable) >= \(common.lowest)") }
        if common.highest < context.highest { parts.append("\(variable) <= \(common.highest)") }
        return parts.isEmpty ? "true" : parts.joined(separator: " && ")
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
