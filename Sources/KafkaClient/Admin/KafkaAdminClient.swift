import KafkaProtocol

/// Cluster administration: topics, partitions, configs, groups, offsets. Each call goes to
/// the broker that owns it (the controller for topic changes, the coordinator for groups).
public struct KafkaAdminClient: Sendable {
    public let cluster: KafkaCluster

    public init(cluster: KafkaCluster) {
        self.cluster = cluster
    }

    public init(configuration: ClientConfiguration) {
        self.cluster = KafkaCluster(configuration: configuration)
    }

    public struct NewTopic: Sendable {
        public var name: String
        public var partitions: Int32
        public var replicationFactor: Int16
        public var configs: [String: String]

        public init(name: String, partitions: Int32 = 1, replicationFactor: Int16 = 1, configs: [String: String] = [:]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }
    }

    public enum TopicCreation: Sendable, Equatable {
        case created
        case alreadyExists
        case failed(KafkaErrorCode, message: String?)
    }

    /// Creates topics; one result per topic, in order. With `existingIsSuccess`,
    /// TOPIC_ALREADY_EXISTS reports `.alreadyExists` instead of a failure.
    public func createTopics(_ topics: [NewTopic], timeoutMs: Int32 = 30_000, validateOnly: Bool = false) async throws -> [String: TopicCreation] {
        var request = CreateTopicsRequest()
        request.timeoutMs = timeoutMs
        request.validateOnly = validateOnly
        request.topics = topics.map { topic in
            var creatable = CreateTopicsRequest.CreatableTopic()
            creatable.name = topic.name
            creatable.numPartitions = topic.partitions
            creatable.replicationFactor = topic.replicationFactor
            creatable.configs = topic.configs.sorted { $0.key < $1.key }.map { key, value in
                var config = CreateTopicsRequest.CreatableTopicConfig()
                config.name = key
                config.value = value
                return config
            }
            return creatable
        }
        let session = try await cluster.controllerSession()
        let (response, _) = try await session.send(request, timeoutMs: Int(timeoutMs) + 5_000)
        var results: [String: TopicCreation] = [:]
        for result in response.topics {
            let code = KafkaErrorCode(rawValue: result.errorCode)
            switch code {
            case .none: results[result.name] = .created
            case .topicAlreadyExists: results[result.name] = .alreadyExists
            default: results[result.name] = .failed(code, message: result.errorMessage)
            }
        }
        for topic in topics where results[topic.name] == nil {
            results[topic.name] = .failed(.unknownServerError, message: "no result in the CreateTopics response")
        }
        return results
    }

    /// Creates one topic; throws unless it was created (or exists, with `existingIsSuccess`).
    public func createTopic(_ topic: NewTopic, existingIsSuccess: Bool = false) async throws {
        let result = try await createTopics([topic])[topic.name]
        switch result {
        case .created?: break
        case .alreadyExists? where existingIsSuccess: break
        case .alreadyExists?:
            throw KafkaClientError.broker(.topicAlreadyExists, broker: "controller", context: "CreateTopics(\(topic.name))")
        case let .failed(code, message)?:
            throw KafkaClientError.broker(code, broker: "controller", context: "CreateTopics(\(topic.name))\(message.map { ": \($0)" } ?? "")")
        case nil:
            throw KafkaClientError.protocolViolation(broker: "controller", detail: "no CreateTopics result")
        }
        // Make the new topic visible to this client's routing at once.
        await cluster.invalidate(topic: topic.name)
    }
}
