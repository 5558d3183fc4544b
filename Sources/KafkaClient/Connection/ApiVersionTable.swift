import KafkaProtocol

/// The versions a broker offers per api, intersected with ours. Each request uses the highest
/// version both sides support, optionally capped by configuration.
public struct ApiVersionTable: Sendable, Equatable {
    /// Broker-offered ranges by api key.
    public let broker: [Int16: VersionRange]
    public let caps: [Int16: Int16]

    public init(broker: [Int16: VersionRange], caps: [Int16: Int16] = [:]) {
        self.broker = broker
        self.caps = caps
    }

    public init(_ response: ApiVersionsResponse, caps: [Int16: Int16] = [:]) {
        var ranges: [Int16: VersionRange] = [:]
        for key in response.apiKeys where key.minVersion <= key.maxVersion {
            ranges[key.apiKey] = VersionRange(key.minVersion, key.maxVersion)
        }
        self.init(broker: ranges, caps: caps)
    }

    /// The version to use for `apiKey`, or nil when the two sides share none.
    public func version(for apiKey: Int16) -> Int16? {
        guard let ours = KafkaApis.api(forKey: apiKey)?.validVersions,
              let theirs = broker[apiKey] else { return nil }
        var shared = ours.intersection(theirs)
        if let cap = caps[apiKey] { shared = shared.intersection(VersionRange(0, cap)) }
        return shared.isEmpty ? nil : shared.highest
    }
}
