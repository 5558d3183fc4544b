import KafkaProtocol

extension KafkaAdminClient {
    /// Deletes topics by name; one error code per topic (NONE on success).
    public func deleteTopics(_ names: [String], timeoutMs: Int32 = 30_000) async throws -> [String: KafkaErrorCode] {
        var request = DeleteTopicsRequest()
        request.timeoutMs = timeoutMs
        let session = try await cluster.controllerSession()
        // v6 replaced the list of names with topic states (name or id).
        if try session.negotiatedVersion(DeleteTopicsRequest.self) >= 6 {
            request.topics = names.map { name in
                var state = DeleteTopicsRequest.DeleteTopicState()
                state.name = name
                return state
            }
        } else {
            request.topicNames = names
        }
        let (response, _) = try await session.send(request, timeoutMs: Int(timeoutMs) + 5_000)
        var results: [String: KafkaErrorCode] = [:]
        for result in response.responses {
            if let name = result.name { results[name] = KafkaErrorCode(rawValue: result.errorCode) }
        }
        for name in names {
            await cluster.invalidate(topic: name)
        }
        return results
    }

    /// Raises the partition count of topics to `count` each.
    public func createPartitions(_ counts: [String: Int32], timeoutMs: Int32 = 30_000, validateOnly: Bool = false) async throws -> [String: KafkaErrorCode] {
        var request = CreatePartitionsRequest()
        request.timeoutMs = timeoutMs
        request.validateOnly = validateOnly
        request.topics = counts.sorted { $0.key < $1.key }.map { name, count in
            var topic = CreatePartitionsRequest.CreatePartitionsTopic()
            topic.name = name
            topic.count = count
            topic.assignments = nil
            return topic
        }
        let session = try await cluster.controllerSession()
        let (response, _) = try await session.send(request, timeoutMs: Int(timeoutMs) + 5_000)
        var results: [String: KafkaErrorCode] = [:]
        for result in response.results { results[result.name] = KafkaErrorCode(rawValue: result.errorCode) }
        for name in counts.keys { await cluster.invalidate(topic: name) }
        return results
    }

    /// Every topic the cluster reports, with partitions, leaders and replicas.
    public func listTopics(includeInternal: Bool = false) async throws -> [ClusterMetadata.TopicInfo] {
        let metadata = try await cluster.refreshMetadata()
        return metadata.topics.values
            .filter { includeInternal || !$0.isInternal }
            .sorted { $0.name < $1.name }
    }

    public func describeTopic(_ name: String) async throws -> ClusterMetadata.TopicInfo {
        try await cluster.refreshMetadata(topics: [name])
        return try await cluster.topicMetadata(name)
    }

    public struct ConfigEntry: Sendable, Equatable {
        public var name: String
        public var value: String?
        public var isDefault: Bool
        public var isReadOnly: Bool
        public var isSensitive: Bool
    }

    public enum ConfigResource: Sendable, Hashable {
        case topic(String)
        case broker(Int32)

        var type: Int8 {
            switch self {
            case .topic: return 2
            case .broker: return 4
            }
        }

        var name: String {
            switch self {
            case let .topic(name): return name
            case let .broker(id): return String(id)
            }
        }
    }

    /// The configuration of a topic or broker (all keys, or just `keys`).
    public func describeConfigs(_ resource: ConfigResource, keys: [String]? = nil) async throws -> [ConfigEntry] {
        var request = DescribeConfigsRequest()
        var entry = DescribeConfigsRequest.DescribeConfigsResource()
        entry.resourceType = resource.type
        entry.resourceName = resource.name
        entry.configurationKeys = keys
        request.resources = [entry]
        let session: BrokerSession
        if case let .broker(id) = resource {
            session = try await cluster.session(for: id)
        } else {
            session = try await cluster.controllerSession()
        }
        let (response, _) = try await session.send(request)
        guard let result = response.results.first else {
            throw KafkaClientError.protocolViolation(broker: session.connection.peer, detail: "DescribeConfigs returned no result")
        }
        let code = KafkaErrorCode(rawValue: result.errorCode)
        guard code == .none else {
            throw KafkaClientError.broker(code, broker: session.connection.peer,
                                          context: "DescribeConfigs(\(resource.name))\(result.errorMessage.map { ": \($0)" } ?? "")")
        }
        return result.configs.map {
            ConfigEntry(name: $0.name, value: $0.value, isDefault: $0.isDefault || $0.configSource == 5,
                        isReadOnly: $0.readOnly, isSensitive: $0.isSensitive)
        }
    }
}
