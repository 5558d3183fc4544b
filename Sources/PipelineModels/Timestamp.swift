import Foundation

/// ISO-8601 UTC timestamps as carried in the `ts` field: `2026-11-23T14:01:51Z`, optionally with
/// fractional seconds. Only UTC (`Z`) is accepted so that every service orders events the same way.
public enum Timestamp {
    /// Formats `date` as `YYYY-MM-DDTHH:MM:SS.sssZ` (millisecond precision) in UTC.
    public static func format(_ date: Date, fractionalSeconds: Bool = true) -> String {
        // Date.ISO8601FormatStyle is a value type and Sendable, unlike ISO8601DateFormatter.
        var style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .gmt)
        if fractionalSeconds { style = style.time(includingFractionalSeconds: true) }
        return style.format(date)
    }

    /// The current time, formatted for the `ts` field.
    public static func now() -> String { format(Date()) }

    /// Parses a `ts` value; nil unless it is ISO-8601 with a `Z` suffix.
    public static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z"), text.count >= 20 else { return nil }
        let utc = TimeZone(identifier: "UTC") ?? .gmt
        let plain = Date.ISO8601FormatStyle(timeZone: utc)
        if let date = try? plain.parse(text) { return date }
        return try? plain.time(includingFractionalSeconds: true).parse(text)
    }

    /// True when `text` is a valid `ts` value.
    public static func isValid(_ text: String) -> Bool { parse(text) != nil }
}
