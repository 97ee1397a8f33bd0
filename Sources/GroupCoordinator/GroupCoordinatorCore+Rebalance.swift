// The rebalance machinery: starting a rebalance, completing the join phase (dropping members that
// did not rejoin, electing a leader, starting a generation), handing out assignments, removing
// members, and the timers that drive all of it.
//
// Timer-triggered work runs "at" the timer's deadline rather than at the (possibly later) time of
// the tick that noticed it, so follow-on deadlines do not drift when ticks come late.

extension GroupCoordinatorCore {
    mutating func maybePrepareRebalanceOrCompleteJoin(_ groupId: String, now: Int64) {
        guard let group = groups[groupId] else { return }
        if group.canRebalance {
            prepareRebalance(groupId, now: now)
        } else {
            maybeCompleteJoinPhase(groupId, now: now)
        }
    }

    /// Moves the group to PreparingRebalance. From Empty it waits for the initial delay; otherwise
    /// it waits (at most the rebalance timeout) for every member to rejoin.
    mutating func prepareRebalance(_ groupId: String, now: Int64) {
        guard let state = groups[groupId]?.state else { return }
        if state == .completingRebalance {
            // Members parked in SyncGroup must rejoin instead.
            for memberId in groups[groupId]?.memberOrder ?? [] {
                groups[groupId]?.update(memberId) { $0.assignment = [] }
            }
            propagateAssignment(groupId, errorCode: .rebalanceInProgress, now: now)
        }
        guard var group = groups[groupId] else { return }
        group.pendingSyncMembers = []
        group.syncTimer = nil
        let isInitialRebalance = group.state == .empty
        if isInitialRebalance {
            let delay = Int64(configuration.initialRebalanceDelayMilliseconds)
            group.joinTimer = .initialDelay(
                deadlineMilliseconds: now + delay, delayMilliseconds: delay,
                remainingMilliseconds: max(group.rebalanceTimeoutMilliseconds - delay, 0))
        }
        group.transition(to: .preparingRebalance, nowMilliseconds: now)
        groups[groupId] = group
        guard !isInitialRebalance else { return }
        if group.hasAllMembersJoined {
            completeJoin(groupId, now: now)
        } else {
            groups[groupId]?.joinTimer = .rebalance(deadlineMilliseconds: now + max(group.rebalanceTimeoutMilliseconds, 1))
        }
    }

    /// Completes the join phase early when everyone has rejoined (never during the initial delay).
    mutating func maybeCompleteJoinPhase(_ groupId: String, now: Int64) {
        guard let group = groups[groupId], group.state == .preparingRebalance,
            group.previousState != .empty, group.hasAllMembersJoined
        else { return }
        completeJoin(groupId, now: now)
    }

    /// Ends the join phase: dynamic members that did not rejoin are dropped, a leader that did not
    /// rejoin is replaced, and the next generation starts (CompletingRebalance, or Empty).
    mutating func completeJoin(_ groupId: String, now: Int64) {
        guard let before = groups[groupId] else { return }
        groups[groupId]?.joinTimer = nil
        for member in before.orderedMembers where member.awaitingJoin == nil && member.groupInstanceId == nil {
            removeMember(groupId: groupId, memberId: member.memberId, answering: .unknownMemberId)
        }
        guard var group = groups[groupId] else { return }
        if !group.maybeElectNewJoinedLeader() && group.memberCount > 0 {
            // Only static members that have not rejoined are left: wait for them (or their expiry).
            group.joinTimer = .rebalance(deadlineMilliseconds: now + max(group.rebalanceTimeoutMilliseconds, 1))
            groups[groupId] = group
            return
        }
        group.initNextGeneration(nowMilliseconds: now)
        groups[groupId] = group
        if group.state == .empty {
            persist(.groupMetadata(groupId: groupId, groupMetadataValue(group)))
            return
        }
        for member in group.orderedMembers {
            if let parked = member.awaitingJoin {
                let result = currentGenerationResult(group, memberId: member.memberId, includeMembers: group.isLeader(member.memberId))
                respond(parked, .join(result))
            }
            group.update(member.memberId) {
                $0.awaitingJoin = nil
                $0.isNew = false
                $0.heartbeatDeadlineMilliseconds = now + Int64($0.sessionTimeoutMilliseconds)
            }
            group.pendingSyncMembers.insert(member.memberId)
        }
        group.syncTimer = (now + max(group.rebalanceTimeoutMilliseconds, 1), group.generationId)
        groups[groupId] = group
    }

    /// Answers every parked SyncGroup with the member's assignment (or with `errorCode`).
    mutating func propagateAssignment(_ groupId: String, errorCode: GroupErrorCode, now: Int64) {
        guard let group = groups[groupId] else { return }
        for member in group.orderedMembers {
            guard let parked = member.awaitingSync else { continue }
            let result =
                errorCode == .none
                ? SyncGroupResult(
                    errorCode: .none, protocolType: group.protocolType, protocolName: group.protocolName,
                    assignment: member.assignment)
                : SyncGroupResult.failure(errorCode)
            respond(parked, .sync(result))
            groups[groupId]?.update(member.memberId) {
                $0.awaitingSync = nil
                $0.heartbeatDeadlineMilliseconds = now + Int64($0.sessionTimeoutMilliseconds)
            }
        }
    }

    /// Removes a member (or pending member), answering its parked requests with `errorCode`.
    mutating func removeMember(groupId: String, memberId: String, answering errorCode: GroupErrorCode) {
        guard let removed = groups[groupId]?.remove(memberId) else { return }
        if let parked = removed.awaitingJoin { respond(parked, .join(.failure(errorCode, memberId: ""))) }
        if let parked = removed.awaitingSync { respond(parked, .sync(.failure(errorCode))) }
    }

    /// Removes a failed member and lets the group react (rebalance or finish the join phase).
    mutating func removeMemberAndUpdateGroup(groupId: String, memberId: String, now: Int64) {
        removeMember(groupId: groupId, memberId: memberId, answering: .unknownMemberId)
        guard let group = groups[groupId] else { return }
        switch group.state {
        case .stable, .completingRebalance:
            maybePrepareRebalanceOrCompleteJoin(groupId, now: now)
        case .preparingRebalance where group.hasAllMembersJoined:
            completeJoin(groupId, now: now)
        default:
            break
        }
    }

    // MARK: Timers

    mutating func fireDueTimers(now: Int64) {
        while let (groupId, deadline, timer) = earliestDueTimer(now: now) {
            fire(timer, groupId: groupId, at: deadline)
        }
    }

    private func earliestDueTimer(now: Int64) -> (String, Int64, GroupTimer)? {
        var earliest: (String, Int64, GroupTimer)?
        for (groupId, group) in groups {
            guard let due = group.earliestDueTimer(nowMilliseconds: now) else { continue }
            if let current = earliest,
                (current.1, current.0, current.2) <= (due.deadlineMilliseconds, groupId, due.timer)
            {
                continue
            }
            earliest = (groupId, due.deadlineMilliseconds, due.timer)
        }
        return earliest
    }

    /// Runs one due timer. Each branch disarms or moves the timer past `at`, so firing terminates.
    private mutating func fire(_ timer: GroupTimer, groupId: String, at now: Int64) {
        guard let group = groups[groupId] else { return }
        switch timer {
        case .join:
            guard let joinTimer = group.joinTimer else { return }
            groups[groupId]?.joinTimer = nil
            if case .initialDelay(let deadline, let delay, let remaining) = joinTimer, group.newMemberAdded, remaining != 0 {
                // Someone joined during the delay: wait once more, within the rebalance timeout.
                let nextDelay = min(Int64(configuration.initialRebalanceDelayMilliseconds), remaining)
                groups[groupId]?.newMemberAdded = false
                groups[groupId]?.joinTimer = .initialDelay(
                    deadlineMilliseconds: deadline + nextDelay, delayMilliseconds: nextDelay,
                    remainingMilliseconds: max(remaining - delay, 0))
            } else {
                completeJoin(groupId, now: now)
            }
        case .sync:
            guard let syncTimer = group.syncTimer else { return }
            groups[groupId]?.syncTimer = nil
            guard syncTimer.generationId == group.generationId,
                group.state == .completingRebalance || group.state == .stable,
                !group.pendingSyncMembers.isEmpty
            else { return }
            for memberId in group.pendingSyncMembers.sorted() {
                removeMember(groupId: groupId, memberId: memberId, answering: .unknownMemberId)
            }
            prepareRebalance(groupId, now: now)
        case .memberHeartbeat(let memberId):
            guard let member = group.member(memberId) else { return }
            groups[groupId]?.update(memberId) { $0.heartbeatDeadlineMilliseconds = nil }
            if !member.hasSatisfiedHeartbeat {
                removeMemberAndUpdateGroup(groupId: groupId, memberId: memberId, now: now)
            }
        case .pendingMember(let memberId):
            groups[groupId]?.pendingMembers[memberId] = nil
            if let updated = groups[groupId], updated.state == .preparingRebalance, updated.hasAllMembersJoined {
                completeJoin(groupId, now: now)
            }
        }
    }

    // MARK: Records

    /// The persisted form of a group's current generation.
    func groupMetadataValue(_ group: ClassicGroup) -> GroupMetadataValue {
        GroupMetadataValue(
            protocolType: group.protocolType ?? "", generationId: group.generationId,
            protocolName: group.protocolName, leader: group.leaderId,
            currentStateTimestampMilliseconds: group.stateTimestampMilliseconds ?? -1,
            members: group.orderedMembers.map {
                GroupMetadataValue.Member(
                    memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                    clientHost: $0.clientHost, rebalanceTimeoutMilliseconds: $0.rebalanceTimeoutMilliseconds,
                    sessionTimeoutMilliseconds: $0.sessionTimeoutMilliseconds,
                    subscription: $0.metadata(forProtocol: group.protocolName), assignment: $0.assignment)
            })
    }
}
