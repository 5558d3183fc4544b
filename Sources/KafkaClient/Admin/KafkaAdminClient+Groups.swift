import KafkaProtocol

extension KafkaAdminClient {
    public struct GroupListing: Sendable, Equatable {
        public var groupId: String
        public var protocolType: String
        public var state: String
    }

    public struct GroupMember: Sendable, Equatable {
        public var memberId: String
        public var clientId: String
        public var clientHost: String
        /// Partitions assigned to this member (from its consumer-protocol assignment).
        public var assignment: [TopicPartition]
    }

    public struct GroupDescription: Sendable, Equatable {
        public var groupId: String
        public var state: String
        public var protocolType: String
        public var protocolName: String
        public var members: [GroupMember]
    }

    /// Groups known to every broker (each broker lists the groups it coordinates).
    public func listGroups() async throws -> [GroupListing] {
        let metadata = try await cluster.refreshMetadata(topics: [])
        var groups: [String: GroupListing] = [:]
        for nodeId in metadata.brokers.keys.sorted() {
            let session = try await cluster.session(for: nodeId)
            let (response, _) = try await session.send(ListGroupsRequest())
            let code = KafkaErrorCode(rawValue: response.errorCode)
            guard code == .none else {
                throw KafkaClientError.broker(code, broker: session.connection.peer, context: "ListGroups")
            }
            for group in response.groups {
                groups[group.groupId] = GroupListing(groupId: group.groupId, protocolType: group.protocolType, state: group.groupState)
            }
        }
        return groups.values.sorted { $0.groupId < $1.groupId }
    }

    public func describeGroup(_ groupId: String) async throws -> GroupDescription {
        let session = try await cluster.coordinatorSession(group: groupId)
        var request = DescribeGroupsRequest()
        request.groups = [groupId]
        let (response, _) = try await session.send(request)
        guard let group = response.groups.first(where: { $0.groupId == groupId }) else {
            throw KafkaClientError.protocolViolation(broker: session.connection.peer, detail: "DescribeGroups omitted \(groupId)")
        }
        let code = KafkaErrorCode(rawValue: group.errorCode)
        guard code == .none else {
            if code == .notCoordinator { await cluster.coordinatorFailed(group: groupId) }
            throw KafkaClientError.broker(code, broker: session.connection.peer, context: "DescribeGroups(\(groupId))")
        }
        let members = group.members.map { member in
            GroupMember(memberId: member.memberId, clientId: member.clientId, clientHost: member.clientHost,
                        assignment: Self.assignedPartitions(member.memberAssignment))
        }
        return GroupDescription(groupId: groupId, state: group.groupState, protocolType: group.protocolType,
                                protocolName: group.protocolData, members: members)
    }

    /// Decodes a consumer-protocol assignment (int16 version, then the struct); empty when the
    /// bytes are not one (another protocol type, or a member without assignment yet).
    static func assignedPartitions(_ bytes: [UInt8]) -> [TopicPartition] {
        var reader = WireReader(bytes)
        guard bytes.count >= 2, let version = try? reader.readInt16(),
              let assignment = try? ConsumerProtocolAssignment(from: &reader, version: min(version, ConsumerProtocolAssignment.validVersions.highest)) else {
            return []
        }
        return assignment.assignedPartitions.flatMap { topic in
            topic.partitions.map { TopicPartition(topic: topic.topic, partition: $0) }
        }
    }

    public func deleteGroups(_ groupIds: [String]) async throws -> [String: KafkaErrorCode] {
        var results: [String: KafkaErrorCode] = [:]
        for groupId in groupIds {
            let session = try await cluster.coordinatorSession(group: groupId)
            var request = DeleteGroupsRequest()
            request.groupsNames = [groupId]
            let (response, _) = try await session.send(request)
            for result in response.results { results[result.groupId] = KafkaErrorCode(rawValue: result.errorCode) }
        }
        return results
    }

    /// The committed offset of each partition for a group (-1 when none is committed).
    public func committedOffsets(group groupId: String, topics: [String]? = nil) async throws -> [TopicPartition: Int64] {
        let session = try await cluster.coordinatorSession(group: groupId)
        var request = OffsetFetchRequest()
        request.groupId = groupId
        request.requireStable = false
        var wanted: [OffsetFetchRequest.OffsetFetchRequestTopic]?
        var wantedGroupTopics: [OffsetFetchRequest.OffsetFetchRequestTopics]?
        if let topics {
            var perTopic: [OffsetFetchRequest.OffsetFetchRequestTopic] = []
            var perGroupTopic: [OffsetFetchRequest.OffsetFetchRequestTopics] = []
            for topic in topics {
                let info = try await cluster.topicMetadata(topic)
                let partitions = info.partitions.map(\.partition)
                var entry = OffsetFetchRequest.OffsetFetchRequestTopic()
                entry.name = topic
                entry.partitionIndexes = partitions
                perTopic.append(entry)
                var groupEntry = OffsetFetchRequest.OffsetFetchRequestTopics()
                groupEntry.name = topic
                groupEntry.partitionIndexes = partitions
                perGroupTopic.append(groupEntry)
            }
            wanted = perTopic
            wantedGroupTopics = perGroupTopic
        }
        let version = try session.negotiatedVersion(OffsetFetchRequest.self)
        if version >= 8 {
            var group = OffsetFetchRequest.OffsetFetchRequestGroup()
            group.groupId = groupId
            group.topics = wantedGroupTopics
            request.groups = [group]
            request.groupId = ""
        } else {
            request.topics = wanted
        }
        let (response, _) = try await session.send(request)
        var offsets: [TopicPartition: Int64] = [:]
        if version >= 8 {
            for group in response.groups where group.groupId == groupId {
                let code = KafkaErrorCode(rawValue: group.errorCode)
                guard code == .none else {
                    throw KafkaClientError.broker(code, broker: session.connection.peer, context: "OffsetFetch(\(groupId))")
                }
                for topic in group.topics {
                    for partition in topic.partitions {
                        offsets[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = partition.committedOffset
                    }
                }
            }
        } else {
            let code = KafkaErrorCode(rawValue: response.errorCode)
            guard code == .none else {
                throw KafkaClientError.broker(code, broker: session.connection.peer, context: "OffsetFetch(\(groupId))")
            }
            for topic in response.topics {
                for partition in topic.partitions {
                    offsets[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = partition.committedOffset
                }
            }
        }
        return offsets
    }
}
