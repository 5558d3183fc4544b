import Foundation

/// ISO-8601 UTC timestamps as carried in the `ts` field: `2026-11-23T14:01:51Z`, optionally with
/// fractional seconds. Only UTC (`Z`) is accepted so that every service orders events the same way.
public enum Timestamp {
    /// Formats `date` as `YYYY-MM-DDTHH:MM:SS.sssZ` (millisecond precision) in UTC.
    public static func format(_ date: Date, fractionalSeconds: Bool = true) -> String {
        // Date.ISO8601FormatStyle is a value type and Sendable, unlike ISO8601DateFormatter.
        Date.ISO8601FormatStyle(includingFractionalSeconds: fractionalSeconds, timeZone: utc).format(date)
    }

    private static let utc = TimeZone(identifier: "UTC") ?? .gmt

    /// The current time, formatted for the `ts` field.
    public static func now() -> String { format(Date()) }

    /// Parses a `ts` value; nil unless it is ISO-8601 with a `Z` suffix.
    public static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z"), text.count >= 20 else { return nil }
        if let date = try? Date.ISO8601FormatStyle(timeZone: utc).parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: utc).parse(text)
    }

    /// True when `text` is a valid `ts` value.
    public static func isValid(_ text: String) -> Bool { parse(text) != nil }
}
