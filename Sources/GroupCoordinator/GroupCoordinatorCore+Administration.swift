// Offsets (commit with membership checks, fetch, delete), group administration (describe, list,
// delete) and replay of `__consumer_offsets` records at load time.
//
// Offset commit checks follow Kafka's classic group rules: a member of the current generation may
// commit (except while the group waits for the leader's assignment); a "simple" consumer
// (generation -1, no member id) may commit only while the group is Empty, and its first commit
// creates an Empty group without a protocol type (kept in memory, as Kafka does).

/// One member as DescribeGroups shows it.
public struct MemberDescription: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    /// The member's metadata for the group's protocol; empty unless the group is Stable.
    public var metadata: [UInt8]
    public var assignment: [UInt8]
}

/// A group as DescribeGroups shows it, plus its generation and leader.
public struct GroupDescription: Sendable, Equatable {
    public var groupId: String
    public var state: GroupState
    /// Empty for a group without members that never had any.
    public var protocolType: String
    /// Empty unless the group is Stable (Kafka shows the protocol only then).
    public var protocolName: String
    public var generationId: Int32
    public var leaderId: String?
    public var members: [MemberDescription]
}

/// A group as ListGroups shows it.
public struct GroupListing: Sendable, Equatable {
    public var groupId: String
    public var protocolType: String
    public var state: GroupState
}

extension GroupCoordinatorCore {
    // MARK: Offsets

    /// Handles an OffsetCommit; answered in the same output after its records.
    /// A commit naming a group that does not exist with a generation >= 0 gets ILLEGAL_GENERATION
    /// (OffsetCommit v9+ reports GROUP_ID_NOT_FOUND for that case; the broker maps it).
    public mutating func commitOffsets(_ input: OffsetCommitInput, requestId: RequestId, nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { core in
            let errorCode = core.validateOffsetCommit(input)
            guard errorCode == .none else {
                let results = input.offsets.map { PartitionResult(topicPartition: $0.topicPartition, errorCode: errorCode) }
                return core.respond(requestId, .offsetCommit(results))
            }
            if core.groups[input.groupId] == nil { core.groups[input.groupId] = ClassicGroup(groupId: input.groupId) }
            let (results, records) = core.offsets.commit(groupId: input.groupId, offsets: input.offsets, nowMilliseconds: nowMilliseconds)
            records.forEach { core.persist($0) }
            core.respond(requestId, .offsetCommit(results))
        }
    }

    private func validateOffsetCommit(_ input: OffsetCommitInput) -> GroupErrorCode {
        guard !input.groupId.isEmpty else { return .invalidGroupId }
        guard let group = groups[input.groupId] else {
            return input.generationId < 0 ? .none : .illegalGeneration
        }
        if input.generationId < 0 && group.isEmpty { return .none }
        if input.generationId >= 0 || !input.memberId.isEmpty || input.groupInstanceId != nil {
            let memberError = group.validateMember(input.memberId, groupInstanceId: input.groupInstanceId)
            if memberError != .none { return memberError }
            if input.generationId != group.generationId { return .illegalGeneration }
        } else if !group.isEmpty {
            return .unknownMemberId
        }
        // The member knows the new generation but not yet its assignment: let it finish syncing.
        if group.state == .completingRebalance { return .rebalanceInProgress }
        return .none
    }

    /// OffsetFetch: the given partitions, or all committed ones when `partitions` is nil.
    public func fetchOffsets(groupId: String, partitions: [TopicPartition]?) -> [FetchedOffset] {
        offsets.fetch(groupId: groupId, partitions: partitions)
    }

    /// Handles an OffsetDelete. A non-empty `consumer` group may delete offsets only of topics no
    /// member subscribes to; other non-empty groups may not delete offsets at all.
    public mutating func deleteOffsets(
        groupId: String, partitions: [TopicPartition], requestId: RequestId, nowMilliseconds: Int64
    ) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { core in
            guard let group = core.groups[groupId] else {
                return core.respond(requestId, .offsetDelete(OffsetDeleteResult(errorCode: .groupIdNotFound, partitions: [])))
            }
            var subscribed: Set<String>?
            if !group.isEmpty {
                guard group.protocolType == ConsumerProtocolSubscription.protocolType else {
                    return core.respond(requestId, .offsetDelete(OffsetDeleteResult(errorCode: .nonEmptyGroup, partitions: [])))
                }
                subscribed = ConsumerProtocolSubscription.subscribedTopics(group)
            }
            var results: [PartitionResult] = []
            var deletable: [TopicPartition] = []
            for topicPartition in partitions {
                // Unreadable subscriptions count as subscribed to everything: never delete in use.
                let inUse = group.isEmpty ? false : (subscribed.map { $0.contains(topicPartition.topic) } ?? true)
                results.append(PartitionResult(topicPartition: topicPartition, errorCode: inUse ? .groupSubscribedToTopic : .none))
                if !inUse { deletable.append(topicPartition) }
            }
            core.offsets.delete(groupId: groupId, partitions: deletable).forEach { core.persist($0) }
            core.respond(requestId, .offsetDelete(OffsetDeleteResult(errorCode: .none, partitions: results)))
        }
    }

    // MARK: Groups

    /// Handles a DeleteGroups: each group must exist and be Empty; its offsets go with it.
    public mutating func deleteGroups(_ groupIds: [String], requestId: RequestId, nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { core in
            var results: [GroupDeletionResult] = []
            for groupId in groupIds {
                guard let group = core.groups[groupId] else {
                    results.append(GroupDeletionResult(groupId: groupId, errorCode: .groupIdNotFound))
                    continue
                }
                guard group.isEmpty else {
                    results.append(GroupDeletionResult(groupId: groupId, errorCode: .nonEmptyGroup))
                    continue
                }
                core.offsets.deleteAll(groupId: groupId).forEach { core.persist($0) }
                core.persist(.groupMetadata(groupId: groupId, nil))
                core.groups[groupId] = nil
                results.append(GroupDeletionResult(groupId: groupId, errorCode: .none))
            }
            core.respond(requestId, .deleteGroups(results))
        }
    }

    /// DescribeGroups for one group; nil when the coordinator does not know it.
    public func describe(groupId: String) -> GroupDescription? {
        guard let group = groups[groupId] else { return nil }
        let isStable = group.state == .stable
        return GroupDescription(
            groupId: groupId, state: group.state, protocolType: group.protocolType ?? "",
            protocolName: isStable ? group.protocolName ?? "" : "", generationId: group.generationId,
            leaderId: group.leaderId,
            members: group.orderedMembers.map {
                MemberDescription(
                    memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                    clientHost: $0.clientHost, metadata: isStable ? $0.metadata(forProtocol: group.protocolName) : [],
                    assignment: $0.assignment)
            })
    }

    /// ListGroups, optionally only groups in the given states, sorted by group id.
    public func listGroups(states: Set<GroupState>? = nil) -> [GroupListing] {
        groups.values
            .filter { states?.contains($0.state) ?? true }
            .map { GroupListing(groupId: $0.groupId, protocolType: $0.protocolType ?? "", state: $0.state) }
            .sorted { $0.groupId < $1.groupId }
    }

    // MARK: Replay

    /// Applies one record read back from `__consumer_offsets` while loading the partition, in log
    /// order. Groups come back Stable (or Empty) at their last persisted generation; each member's
    /// session restarts at `nowMilliseconds`, as members could not heartbeat to a coordinator that
    /// was not there. Call it only while loading, before serving requests.
    public mutating func replay(_ record: CoordinatorRecord, nowMilliseconds: Int64) {
        switch record {
        case .offsetCommit(let key, let value):
            if value != nil && groups[key.groupId] == nil { groups[key.groupId] = ClassicGroup(groupId: key.groupId) }
            offsets.apply(key: key, value: value)
        case .groupMetadata(let groupId, nil):
            groups[groupId] = nil
        case .groupMetadata(let groupId, let value?):
            groups[groupId] = restoredGroup(groupId: groupId, value, nowMilliseconds: nowMilliseconds)
        }
    }

    private func restoredGroup(groupId: String, _ value: GroupMetadataValue, nowMilliseconds: Int64) -> ClassicGroup {
        var group = ClassicGroup(groupId: groupId)
        for persisted in value.members {
            var member = GroupMember(
                memberId: persisted.memberId, groupInstanceId: persisted.groupInstanceId, clientId: persisted.clientId,
                clientHost: persisted.clientHost, sessionTimeoutMilliseconds: persisted.sessionTimeoutMilliseconds,
                rebalanceTimeoutMilliseconds: persisted.rebalanceTimeoutMilliseconds, protocolType: value.protocolType,
                protocols: [GroupProtocol(name: value.protocolName ?? "", metadata: persisted.subscription)])
            member.assignment = persisted.assignment
            member.heartbeatDeadlineMilliseconds = nowMilliseconds + Int64(persisted.sessionTimeoutMilliseconds)
            group.add(member)
        }
        group.protocolType = value.protocolType.isEmpty ? nil : value.protocolType
        group.protocolName = value.protocolName
        group.generationId = value.generationId
        group.leaderId = value.leader.flatMap { group.hasMember($0) ? $0 : nil } ?? group.orderedMembers.first?.memberId
        let timestamp = value.currentStateTimestampMilliseconds == -1 ? nil : value.currentStateTimestampMilliseconds
        group.restore(state: value.members.isEmpty ? .empty : .stable, stateTimestampMilliseconds: timestamp)
        return group
    }
}
