// Consumer-group administration: list, describe, delete, read and set committed offsets, lag.
//
// Every call about one group goes to that group's coordinator, which FindCoordinator names; a
// coordinator that moved or is still loading answers with a retriable code, so each attempt
// looks the coordinator up again. ListGroups asks every broker, as each knows only the groups
// it coordinates. Requests fill both the single-group fields (older versions) and the batched
// ones (FindCoordinator v4+, OffsetFetch v8+); the encoder writes only those of the version
// the connection negotiated, and answers are read from whichever layout came back.
import KafkaProtocol
import NIOCore

extension KafkaAdmin {
    /// Kafka's coordinator key type for consumer groups (1 is transactions).
    static let groupCoordinatorKeyType: Int8 = 0
    /// The protocol type of Kafka consumers, whose assignments this client can decode.
    public static let consumerProtocolType = "consumer"

    // MARK: Coordinator

    /// The broker id of `groupId`'s coordinator.
    public func findCoordinator(group groupId: String) async throws(KafkaError) -> Int32 {
        try Self.validateGroupId(groupId)
        return try await client.withRetries { () async throws(KafkaError) in
            try await lookUpCoordinator(groupId)
        }
    }

    private func lookUpCoordinator(_ groupId: String) async throws(KafkaError) -> Int32 {
        let request = FindCoordinatorRequest(key: groupId, keyType: Self.groupCoordinatorKeyType, coordinatorKeys: [groupId])
        let response = try await client.sendToAnyBroker(request)
        let context = "finding the coordinator of group \(groupId)"
        var errorCode = response.errorCode
        var message = response.errorMessage
        var nodeId = response.nodeId
        if let entry = response.coordinators.first(where: { $0.key == groupId }) ?? response.coordinators.first {
            errorCode = entry.errorCode
            message = entry.errorMessage
            nodeId = entry.nodeId
        }
        if let error = KafkaError.broker(ErrorCode(rawValue: errorCode), context: context, detail: message) { throw error }
        guard nodeId >= 0 else {
            throw KafkaError(kind: .metadataUnavailable, context: context, detail: "the broker named no coordinator")
        }
        return nodeId
    }

    /// Groups by coordinator, keeping the order in which they were named.
    private func groupsByCoordinator(_ groupIds: [String]) async throws(KafkaError) -> [(coordinator: Int32, groupIds: [String])] {
        var batches: [(coordinator: Int32, groupIds: [String])] = []
        for groupId in groupIds {
            let coordinator = try await lookUpCoordinator(groupId)
            if let index = batches.firstIndex(where: { $0.coordinator == coordinator }) {
                batches[index].groupIds.append(groupId)
            } else {
                batches.append((coordinator, [groupId]))
            }
        }
        return batches
    }

    // MARK: Listing and describing

    /// Every group the cluster knows (only those in `states` when given), sorted by id.
    public func listGroups(states: Set<ConsumerGroupState> = []) async throws(KafkaError) -> [ConsumerGroupListing] {
        try await client.withRetries { () async throws(KafkaError) in
            let brokers = try await client.refreshMetadata(topics: []).brokers.keys.sorted()
            var listings: [String: ConsumerGroupListing] = [:]
            for broker in brokers {
                // The filter is sent for brokers that support it (v4+) and applied here for the rest.
                let request = ListGroupsRequest(statesFilter: states.map(\.name).sorted())
                let response = try await client.send(request, toBroker: broker)
                if let error = KafkaError.broker(ErrorCode(rawValue: response.errorCode), context: "listing groups on broker \(broker)") {
                    throw error
                }
                for group in response.groups {
                    listings[group.groupId] = ConsumerGroupListing(
                        groupId: group.groupId, protocolType: group.protocolType, state: ConsumerGroupState(name: group.groupState))
                }
            }
            return listings.values.filter { states.isEmpty || states.contains($0.state) }.sorted { $0.groupId < $1.groupId }
        }
    }

    /// The named groups in the order given. A group the coordinator does not know comes back
    /// with state `.dead` and no members, as Kafka reports it.
    public func describeGroups(_ groupIds: [String]) async throws(KafkaError) -> [ConsumerGroupDescription] {
        for groupId in groupIds { try Self.validateGroupId(groupId) }
        let described = try await client.withRetries { () async throws(KafkaError) in
            var described: [String: ConsumerGroupDescription] = [:]
            for batch in try await groupsByCoordinator(groupIds) {
                let response = try await client.send(DescribeGroupsRequest(groups: batch.groupIds), toBroker: batch.coordinator)
                for group in response.groups {
                    if let error = KafkaError.broker(ErrorCode(rawValue: group.errorCode), context: "describing group \(group.groupId)") {
                        throw error
                    }
                    described[group.groupId] = Self.description(of: group, coordinator: batch.coordinator)
                }
            }
            return described
        }
        var result: [ConsumerGroupDescription] = []
        for groupId in groupIds {
            guard let description = described[groupId] else {
                throw KafkaError(kind: .protocolViolation, context: "describing group \(groupId)", detail: "the answer did not mention the group")
            }
            result.append(description)
        }
        return result
    }

    /// One group; see `describeGroups`.
    public func describeGroup(_ groupId: String) async throws(KafkaError) -> ConsumerGroupDescription {
        try await describeGroups([groupId])[0]
    }

    static func description(of group: DescribeGroupsResponse.DescribedGroup, coordinator: Int32) -> ConsumerGroupDescription {
        let members = group.members.map { member in
            // Other protocols (Connect, streams tasks) use their own assignment layouts; reading them
            // as consumer assignments would show made-up partitions.
            let decoded = group.protocolType == consumerProtocolType ? ConsumerGroupDescription.decodeAssignment(member.memberAssignment) : nil
            return ConsumerGroupMember(
                memberId: member.memberId, groupInstanceId: member.groupInstanceId, clientId: member.clientId, host: member.clientHost,
                assignedPartitions: decoded ?? [], assignmentIsReadable: decoded != nil || member.memberAssignment.readableBytes == 0)
        }
        return ConsumerGroupDescription(
            groupId: group.groupId, state: ConsumerGroupState(name: group.groupState), protocolType: group.protocolType,
            protocolName: group.protocolData, members: members, coordinatorId: coordinator)
    }

    // MARK: Deleting

    /// Deletes groups with their committed offsets. Each must be Empty (no members): Kafka answers
    /// NON_EMPTY_GROUP otherwise, and GROUP_ID_NOT_FOUND for a group it does not know.
    public func deleteGroups(_ groupIds: [String]) async throws(KafkaError) -> [GroupOutcome] {
        for groupId in groupIds { try Self.validateGroupId(groupId) }
        let codes = try await client.withRetries { () async throws(KafkaError) in
            var codes: [String: ErrorCode] = [:]
            for batch in try await groupsByCoordinator(groupIds) {
                let response = try await client.send(DeleteGroupsRequest(groupsNames: batch.groupIds), toBroker: batch.coordinator)
                for result in response.results {
                    let code = ErrorCode(rawValue: result.errorCode)
                    // A coordinator that moved meanwhile: look it up again and retry the batch.
                    if code.isRetriable, let error = KafkaError.broker(code, context: "deleting group \(result.groupId)") { throw error }
                    codes[result.groupId] = code
                }
            }
            return codes
        }
        return groupIds.map { groupId in
            guard let code = codes[groupId] else {
                return GroupOutcome(
                    groupId: groupId,
                    error: KafkaError(kind: .protocolViolation, context: "deleting group \(groupId)", detail: "the answer did not mention the group"))
            }
            return GroupOutcome(groupId: groupId, error: KafkaError.broker(code, context: "deleting group \(groupId)", detail: Self.explanation(code)))
        }
    }

    /// Deletes one group; throws its error.
    public func deleteGroup(_ groupId: String) async throws(KafkaError) {
        if let error = try await deleteGroups([groupId]).first?.error { throw error }
    }

    // MARK: Offsets

    /// The group's committed offsets: for `partitions`, or every partition it committed when nil.
    /// Partitions without a commit are absent from the answer.
    public func committedOffsets(group groupId: String, partitions: [TopicPartition]? = nil) async throws(KafkaError) -> [TopicPartition: Int64] {
        try Self.validateGroupId(groupId)
        let byTopic = partitions.map { Self.partitionsByTopic($0) }
        let request = OffsetFetchRequest(
            groupId: groupId,
            topics: byTopic?.map { OffsetFetchRequest.OffsetFetchRequestTopic(name: $0.topic, partitionIndexes: $0.partitions) },
            groups: [
                OffsetFetchRequest.OffsetFetchRequestGroup(
                    groupId: groupId,
                    topics: byTopic?.map { OffsetFetchRequest.OffsetFetchRequestTopics(name: $0.topic, partitionIndexes: $0.partitions) })
            ])
        let context = "reading the committed offsets of group \(groupId)"
        return try await client.withRetries { () async throws(KafkaError) in
            let response = try await client.send(request, toBroker: try await lookUpCoordinator(groupId))
            var entries: [(topic: String, partition: Int32, offset: Int64, errorCode: Int16)] = []
            var groupErrorCode = response.errorCode
            if let group = response.groups.first(where: { $0.groupId == groupId }) {
                groupErrorCode = group.errorCode
                for topic in group.topics {
                    entries += topic.partitions.map { (topic.name, $0.partitionIndex, $0.committedOffset, $0.errorCode) }
                }
            } else {
                for topic in response.topics {
                    entries += topic.partitions.map { (topic.name, $0.partitionIndex, $0.committedOffset, $0.errorCode) }
                }
            }
            if let error = KafkaError.broker(ErrorCode(rawValue: groupErrorCode), context: context) { throw error }
            var offsets: [TopicPartition: Int64] = [:]
            for entry in entries {
                if let error = KafkaError.broker(ErrorCode(rawValue: entry.errorCode), context: "\(context) for \(entry.topic)-\(entry.partition)") {
                    throw error
                }
                // -1 means "no commit" (OffsetFetch answers it rather than leaving the partition out).
                if entry.offset >= 0 { offsets[TopicPartition(topic: entry.topic, partition: entry.partition)] = entry.offset }
            }
            return offsets
        }
    }

    /// Commits offsets for the group as an administrator (generation -1, no member id). The
    /// coordinator accepts that only while the group has no members; otherwise this throws the
    /// broker's UNKNOWN_MEMBER_ID (or REBALANCE_IN_PROGRESS) with an explanation.
    public func commitOffsets(group groupId: String, offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        try Self.validateGroupId(groupId)
        let context = "committing offsets of group \(groupId)"
        for (topicPartition, offset) in offsets where offset < 0 {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "offset \(offset) for \(topicPartition) is negative")
        }
        guard !offsets.isEmpty else { return }
        let request = OffsetCommitRequest(
            groupId: groupId, generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: nil, retentionTimeMs: -1,
            topics: Self.partitionsByTopic(Array(offsets.keys)).map { topic in
                OffsetCommitRequest.OffsetCommitRequestTopic(
                    name: topic.topic,
                    partitions: topic.partitions.map { partition in
                        OffsetCommitRequest.OffsetCommitRequestPartition(
                            partitionIndex: partition,
                            committedOffset: offsets[TopicPartition(topic: topic.topic, partition: partition)] ?? 0)
                    })
            })
        try await client.withRetries { () async throws(KafkaError) in
            let response = try await client.send(request, toBroker: try await lookUpCoordinator(groupId))
            for topic in response.topics {
                for partition in topic.partitions {
                    let code = ErrorCode(rawValue: partition.errorCode)
                    if let error = KafkaError.broker(code, context: "\(context) for \(topic.name)-\(partition.partitionIndex)", detail: Self.explanation(code)) {
                        throw error
                    }
                }
            }
        }
    }

    /// Per partition the group committed or is assigned: committed offset, log end offset and
    /// lag, sorted by topic and partition. A topic that no longer exists has no log end.
    public func groupLag(_ groupId: String) async throws(KafkaError) -> [PartitionLag] {
        let description = try await describeGroup(groupId)
        let committed = try await committedOffsets(group: groupId)
        let owners = description.ownerByPartition
        let partitions = Set(committed.keys).union(owners.keys)
        var logEnds: [TopicPartition: Int64] = [:]
        for topic in Self.partitionsByTopic(Array(partitions)) {
            do {
                for listed in try await listOffsets(topic: topic.topic, partitions: topic.partitions, spec: .latest) {
                    logEnds[TopicPartition(topic: topic.topic, partition: listed.partition)] = listed.offset
                }
            } catch where error.code == .unknownTopicOrPartition || error.kind == .invalidArgument {
                // Deleted topic (or shrunk metadata): show the commit without a log end.
            }
        }
        return partitions.sorted().map { topicPartition in
            PartitionLag(
                topicPartition: topicPartition, committedOffset: committed[topicPartition], logEndOffset: logEnds[topicPartition],
                memberId: owners[topicPartition]?.memberId)
        }
    }

    // MARK: Helpers

    static func validateGroupId(_ groupId: String) throws(KafkaError) {
        guard !groupId.isEmpty else {
            throw KafkaError(kind: .invalidArgument, context: "checking the group id", detail: "the group id is empty")
        }
    }

    /// Partitions grouped by topic, topics and partitions sorted.
    static func partitionsByTopic(_ partitions: [TopicPartition]) -> [(topic: String, partitions: [Int32])] {
        var byTopic: [String: [Int32]] = [:]
        for partition in partitions { byTopic[partition.topic, default: []].append(partition.partition) }
        return byTopic.keys.sorted().map { ($0, byTopic[$0, default: []].sorted()) }
    }

    /// What a group error code means for an administrator, in words.
    static func explanation(_ code: ErrorCode) -> String? {
        switch code {
        case .unknownMemberId, .illegalGeneration, .rebalanceInProgress:
            return "the group has active members; offsets can be set only while it is Empty"
        case .nonEmptyGroup:
            return "the group has active members"
        case .groupIdNotFound:
            return "no such group"
        default:
            return nil
        }
    }
}
