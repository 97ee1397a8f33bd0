// SyncGroup, Heartbeat and LeaveGroup for classic groups.
//
// SyncGroup: followers' requests are parked in CompletingRebalance until the leader's arrives; the
// leader's assignment is persisted (one group metadata record) and handed out byte for byte.
// Heartbeat: keeps a member's session alive and tells it when to rejoin. LeaveGroup: removes the
// named members (by member id, or by instance id alone for administrative removal of a static
// member) and starts a rebalance or finishes the join phase.

extension GroupCoordinatorCore {
    // MARK: SyncGroup

    mutating func syncGroup(_ input: SyncGroupInput, requestId: RequestId, now: Int64) {
        guard let group = groups[input.groupId], !group.isEmpty else {
            return respond(requestId, .sync(.failure(.unknownMemberId)))
        }
        let validation = validateSync(input, group: group)
        guard validation == .none, let member = group.member(input.memberId) else {
            return respond(requestId, .sync(.failure(validation)))
        }
        switch group.state {
        case .preparingRebalance:
            respond(requestId, .sync(.failure(.rebalanceInProgress)))
        case .completingRebalance:
            if let superseded = member.awaitingSync {
                respond(superseded, .sync(.failure(.rebalanceInProgress)))
            }
            groups[input.groupId]?.update(input.memberId) { $0.awaitingSync = requestId }
            removePendingSyncMember(groupId: input.groupId, memberId: input.memberId)
            if group.isLeader(input.memberId) {
                completeSync(groupId: input.groupId, assignments: input.assignments, now: now)
            }
        case .stable:
            removePendingSyncMember(groupId: input.groupId, memberId: input.memberId)
            respond(
                requestId,
                .sync(
                    SyncGroupResult(
                        errorCode: .none, protocolType: group.protocolType, protocolName: group.protocolName,
                        assignment: member.assignment)))
        case .empty, .dead:
            respond(requestId, .sync(.failure(.unknownMemberId)))
        }
    }

    private func validateSync(_ input: SyncGroupInput, group: ClassicGroup) -> GroupErrorCode {
        let memberError = group.validateMember(input.memberId, groupInstanceId: input.groupInstanceId)
        if memberError != .none { return memberError }
        if input.generationId != group.generationId { return .illegalGeneration }
        // SyncGroup v5+ names the protocol it expects; a mismatch means the client is confused.
        if let type = input.protocolType, let groupType = group.protocolType, type != groupType {
            return .inconsistentGroupProtocol
        }
        if let name = input.protocolName, let groupName = group.protocolName, name != groupName {
            return .inconsistentGroupProtocol
        }
        return .none
    }

    /// The leader's assignment arrived: store it (members it left out get empty bytes), persist
    /// the generation, answer every parked SyncGroup and become Stable.
    private mutating func completeSync(groupId: String, assignments: [MemberAssignment], now: Int64) {
        var byMember: [String: [UInt8]] = [:]
        for entry in assignments { byMember[entry.memberId] = entry.assignment }
        for memberId in groups[groupId]?.memberOrder ?? [] {
            groups[groupId]?.update(memberId) { $0.assignment = byMember[memberId] ?? [] }
        }
        guard let group = groups[groupId] else { return }
        persist(.groupMetadata(groupId: groupId, groupMetadataValue(group)))
        propagateAssignment(groupId, errorCode: .none, now: now)
        groups[groupId]?.transition(to: .stable, nowMilliseconds: now)
    }

    private mutating func removePendingSyncMember(groupId: String, memberId: String) {
        groups[groupId]?.pendingSyncMembers.remove(memberId)
        if groups[groupId]?.pendingSyncMembers.isEmpty == true { groups[groupId]?.syncTimer = nil }
    }

    // MARK: Heartbeat

    mutating func heartbeatGroup(_ input: HeartbeatInput, requestId: RequestId, now: Int64) {
        guard let group = groups[input.groupId] else { return respond(requestId, .heartbeat(.unknownMemberId)) }
        let memberError = group.validateMember(input.memberId, groupInstanceId: input.groupInstanceId)
        guard memberError == .none else { return respond(requestId, .heartbeat(memberError)) }
        guard input.generationId == group.generationId else { return respond(requestId, .heartbeat(.illegalGeneration)) }
        switch group.state {
        case .empty, .dead:
            respond(requestId, .heartbeat(.unknownMemberId))
        case .preparingRebalance:
            extendSession(groupId: input.groupId, memberId: input.memberId, now: now)
            respond(requestId, .heartbeat(.rebalanceInProgress))
        case .completingRebalance, .stable:
            // Members may heartbeat between their JoinGroup and SyncGroup responses.
            extendSession(groupId: input.groupId, memberId: input.memberId, now: now)
            respond(requestId, .heartbeat(.none))
        }
    }

    private mutating func extendSession(groupId: String, memberId: String, now: Int64) {
        groups[groupId]?.update(memberId) { $0.heartbeatDeadlineMilliseconds = now + Int64($0.sessionTimeoutMilliseconds) }
    }

    // MARK: LeaveGroup

    mutating func leaveGroup(_ input: LeaveGroupInput, requestId: RequestId, now: Int64) {
        guard groups[input.groupId] != nil else {
            return respond(requestId, .leave(LeaveGroupResult(errorCode: .unknownMemberId, members: [])))
        }
        var results: [LeavingMemberResult] = []
        for leaving in input.members {
            let errorCode = removeLeavingMember(groupId: input.groupId, leaving)
            results.append(
                LeavingMemberResult(memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode: errorCode))
        }
        if results.contains(where: { $0.errorCode == .none }), let group = groups[input.groupId] {
            switch group.state {
            case .stable, .completingRebalance:
                maybePrepareRebalanceOrCompleteJoin(input.groupId, now: now)
            case .preparingRebalance:
                maybeCompleteJoinPhase(input.groupId, now: now)
            case .empty, .dead:
                break
            }
        }
        respond(requestId, .leave(LeaveGroupResult(errorCode: .none, members: results)))
    }

    private mutating func removeLeavingMember(groupId: String, _ leaving: LeavingMember) -> GroupErrorCode {
        guard let group = groups[groupId] else { return .unknownMemberId }
        if leaving.memberId.isEmpty {
            // Administrative removal of a static member by its instance id.
            guard let instanceId = leaving.groupInstanceId, let memberId = group.staticMemberId(instanceId) else {
                return .unknownMemberId
            }
            removeMember(groupId: groupId, memberId: memberId, answering: .unknownMemberId)
            return .none
        }
        if group.pendingMembers[leaving.memberId] != nil {
            groups[groupId]?.pendingMembers[leaving.memberId] = nil
            return .none
        }
        let validation = group.validateMember(leaving.memberId, groupInstanceId: leaving.groupInstanceId)
        guard validation == .none else { return validation }
        removeMember(groupId: groupId, memberId: leaving.memberId, answering: .unknownMemberId)
        return .none
    }
}
