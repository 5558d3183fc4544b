/// Kafka's 128-bit uuid (topic ids and friends), kept as two big-endian halves.
public struct KafkaUUID: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = KafkaUUID(high: 0, low: 0)

    /// The canonical 8-4-4-4-12 hex form.
    public var description: String {
        func hex(_ value: UInt64, digits: Int) -> String {
            let s = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        let h = hex(high, digits: 16), l = hex(low, digits: 16)
        return "\(h.prefix(8))-\(h.dropFirst(8).prefix(4))-\(h.suffix(4))-\(l.prefix(4))-\(l.dropFirst(4))"
    }

    /// Parses the canonical form; nil when it is not 32 hex digits with optional dashes.
    public init?(_ text: String) {
        let digits = text.filter { $0 != "-" }
        guard digits.count == 32,
              let high = UInt64(digits.prefix(16), radix: 16),
              let low = UInt64(digits.suffix(16), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }
}
