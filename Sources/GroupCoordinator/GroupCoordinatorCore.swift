// The sans-IO classic group coordinator: every consumer group (and its committed offsets) that one
// `__consumer_offsets` partition owns.
//
// Shape (etcd/raft, swift-nio state machines): a value type whose mutating methods take one input
// and the current time, passed in (it never reads a clock), and return a `GroupCoordinatorOutput`:
// records to persist, responses to send and the next timer deadline. Before and after each input
// it fires every timer due at `nowMilliseconds`, so an input that arrives after a deadline sees the
// world as if `tick` had run on time, and a zero initial delay completes within the same call.
//
// This file holds the configuration, the public entry points and the JoinGroup path. The rebalance
// machinery and timers are in `GroupCoordinatorCore+Rebalance.swift`; SyncGroup, Heartbeat and
// LeaveGroup in `+Membership.swift`; offsets, admin operations and replay in `+Administration.swift`.
// Semantics follow Kafka's classic group coordinator (GroupMetadataManager's classic paths).

/// Limits and delays of the coordinator.
public struct GroupCoordinatorConfiguration: Sendable, Equatable {
    /// group.min.session.timeout.ms: a JoinGroup with a shorter session gets INVALID_SESSION_TIMEOUT.
    public var sessionTimeoutMillisecondsMin: Int32 = 6_000
    /// group.max.session.timeout.ms.
    public var sessionTimeoutMillisecondsMax: Int32 = 1_800_000
    /// group.initial.rebalance.delay.ms. Kafka's default is 3000 ms, which makes a lone consumer
    /// wait three seconds for its first assignment; 100 ms still gathers consumers that start
    /// together (each new arrival extends the delay once more) while a single consumer gets its
    /// assignment in about a tenth of a second.
    public var initialRebalanceDelayMilliseconds: Int32 = 100
    /// How long a new member's first JoinGroup may stay parked before the member is dropped
    /// (Kafka's fixed 5 minutes): a client that gave up would otherwise linger in the rebalance.
    public var newMemberJoinTimeoutMilliseconds: Int32 = 300_000
    /// group.max.size: JoinGroups past it get GROUP_MAX_SIZE_REACHED.
    public var groupMembersMax: Int = Int(Int32.max)
    /// offset.metadata.max.bytes.
    public var offsetMetadataBytesMax: Int = OffsetStore.defaultMetadataBytesMax

    public init() {}
}

/// The coordinator for all groups of one `__consumer_offsets` partition.
public struct GroupCoordinatorCore: Sendable {
    public let configuration: GroupCoordinatorConfiguration
    var groups: [String: ClassicGroup] = [:]
    /// Committed offsets of all groups.
    public internal(set) var offsets: OffsetStore
    /// Makes member ids unique across coordinator incarnations (pass a fresh UUID at start-up).
    let memberIdSalt: String
    var memberIdSequence: UInt64 = 0
    /// Outputs gathered during the current call.
    var pending = GroupCoordinatorOutput()

    /// - Parameter memberIdSalt: a string unique to this coordinator incarnation (for example a
    ///   UUID); member ids are `<client id or instance id>-<salt>-<sequence>`.
    public init(configuration: GroupCoordinatorConfiguration = GroupCoordinatorConfiguration(), memberIdSalt: String) {
        var checked = configuration
        // Timers must move forward, or firing them could loop: keep every delay positive.
        checked.sessionTimeoutMillisecondsMin = max(1, checked.sessionTimeoutMillisecondsMin)
        checked.sessionTimeoutMillisecondsMax = max(checked.sessionTimeoutMillisecondsMin, checked.sessionTimeoutMillisecondsMax)
        checked.initialRebalanceDelayMilliseconds = max(0, checked.initialRebalanceDelayMilliseconds)
        checked.newMemberJoinTimeoutMilliseconds = max(1, checked.newMemberJoinTimeoutMilliseconds)
        checked.groupMembersMax = max(1, checked.groupMembersMax)
        self.configuration = checked
        self.offsets = OffsetStore(metadataBytesMax: checked.offsetMetadataBytesMax)
        self.memberIdSalt = memberIdSalt
    }

    // MARK: Entry points

    /// Handles a JoinGroup. The response may come in this output or a later one.
    public mutating func join(_ input: JoinGroupInput, requestId: RequestId, nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { $0.joinGroup(input, requestId: requestId, now: nowMilliseconds) }
    }

    /// Handles a SyncGroup. A follower's response waits for the leader's assignment.
    public mutating func sync(_ input: SyncGroupInput, requestId: RequestId, nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { $0.syncGroup(input, requestId: requestId, now: nowMilliseconds) }
    }

    /// Handles a Heartbeat; answered in the same output.
    public mutating func heartbeat(_ input: HeartbeatInput, requestId: RequestId, nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { $0.heartbeatGroup(input, requestId: requestId, now: nowMilliseconds) }
    }

    /// Handles a LeaveGroup; answered in the same output (other members' parked joins may complete too).
    public mutating func leave(_ input: LeaveGroupInput, requestId: RequestId, nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { $0.leaveGroup(input, requestId: requestId, now: nowMilliseconds) }
    }

    /// Fires every timer due at `nowMilliseconds`: session expiries, rebalance timeouts,
    /// the initial rebalance delay and pending-sync expiry.
    public mutating func tick(nowMilliseconds: Int64) -> GroupCoordinatorOutput {
        run(nowMilliseconds) { _ in }
    }

    /// The earliest armed timer across all groups.
    public var nextDeadlineMilliseconds: Int64? {
        groups.values.compactMap(\.nextDeadlineMilliseconds).min()
    }

    mutating func run(_ now: Int64, _ body: (inout GroupCoordinatorCore) -> Void) -> GroupCoordinatorOutput {
        fireDueTimers(now: now)
        body(&self)
        fireDueTimers(now: now)
        var output = pending
        pending = GroupCoordinatorOutput()
        output.nextDeadlineMilliseconds = nextDeadlineMilliseconds
        return output
    }

    mutating func respond(_ requestId: RequestId, _ response: GroupResponse) {
        pending.responses.append(AddressedGroupResponse(requestId: requestId, response: response))
    }

    mutating func persist(_ record: CoordinatorRecord) {
        pending.records.append(record)
    }

    // MARK: JoinGroup

    private mutating func joinGroup(_ input: JoinGroupInput, requestId: RequestId, now: Int64) {
        let fail = { (core: inout GroupCoordinatorCore, code: GroupErrorCode, memberId: String) in
            core.respond(requestId, .join(.failure(code, memberId: memberId)))
        }
        guard !input.groupId.isEmpty else { return fail(&self, .invalidGroupId, input.memberId) }
        guard input.sessionTimeoutMilliseconds >= configuration.sessionTimeoutMillisecondsMin,
            input.sessionTimeoutMilliseconds <= configuration.sessionTimeoutMillisecondsMax
        else { return fail(&self, .invalidSessionTimeout, input.memberId) }

        var input = input
        if input.rebalanceTimeoutMilliseconds <= 0 { input.rebalanceTimeoutMilliseconds = input.sessionTimeoutMilliseconds }
        let isUnknownMember = input.memberId.isEmpty

        if groups[input.groupId] == nil {
            // Only an unknown member may create a group, and only with a usable protocol list.
            guard isUnknownMember else { return fail(&self, .unknownMemberId, input.memberId) }
            guard !input.protocolType.isEmpty, !input.protocols.isEmpty else {
                return fail(&self, .inconsistentGroupProtocol, "")
            }
            let created = ClassicGroup(groupId: input.groupId)
            groups[input.groupId] = created
            persist(.groupMetadata(groupId: input.groupId, groupMetadataValue(created)))
        }
        guard acceptJoiningMember(input.groupId, memberId: input.memberId) else {
            removeMember(groupId: input.groupId, memberId: input.memberId, answering: .groupMaxSizeReached)
            return fail(&self, .groupMaxSizeReached, "")
        }
        if isUnknownMember {
            joinNewMember(input, requestId: requestId, now: now)
        } else {
            joinExistingMember(input, requestId: requestId, now: now)
        }
    }

    private func acceptJoiningMember(_ groupId: String, memberId: String) -> Bool {
        guard let group = groups[groupId] else { return false }
        switch group.state {
        case .empty, .dead:
            return true
        case .preparingRebalance:
            // Counting parked joins (not members) lets the last rejoining members be turned away
            // when the limit was lowered.
            return group.member(memberId)?.awaitingJoin != nil || group.awaitingJoinCount < configuration.groupMembersMax
        case .completingRebalance, .stable:
            return group.hasMember(memberId) || group.memberCount < configuration.groupMembersMax
        }
    }

    private mutating func joinNewMember(_ input: JoinGroupInput, requestId: RequestId, now: Int64) {
        guard let group = groups[input.groupId] else { return }
        guard group.supportsProtocols(type: input.protocolType, names: input.protocols.map(\.name)) else {
            return respond(requestId, .join(.failure(.inconsistentGroupProtocol, memberId: "")))
        }
        let newMemberId = generateMemberId(group, prefix: input.groupInstanceId ?? input.clientId)
        if let instanceId = input.groupInstanceId {
            if let existingMemberId = group.staticMemberId(instanceId) {
                replaceStaticMember(input, oldMemberId: existingMemberId, newMemberId: newMemberId, requestId: requestId, now: now)
            } else {
                addMemberThenRebalance(input, memberId: newMemberId, requestId: requestId, now: now)
            }
        } else if input.requireKnownMemberId {
            // KIP-394: hand out the id and wait for the client to come back with it, so a client
            // that times out and retries does not leave a defunct member behind.
            groups[input.groupId]?.pendingMembers[newMemberId] = now + Int64(input.sessionTimeoutMilliseconds)
            respond(requestId, .join(.failure(.memberIdRequired, memberId: newMemberId)))
        } else {
            addMemberThenRebalance(input, memberId: newMemberId, requestId: requestId, now: now)
        }
    }

    private mutating func joinExistingMember(_ input: JoinGroupInput, requestId: RequestId, now: Int64) {
        guard let group = groups[input.groupId] else { return }
        let memberId = input.memberId
        guard group.supportsProtocols(type: input.protocolType, names: input.protocols.map(\.name)) else {
            return respond(requestId, .join(.failure(.inconsistentGroupProtocol, memberId: memberId)))
        }
        if group.pendingMembers[memberId] != nil {
            // Pending members are always dynamic; an instance id here names a member we never had.
            guard input.groupInstanceId == nil else {
                return respond(requestId, .join(.failure(.unknownMemberId, memberId: memberId)))
            }
            return addMemberThenRebalance(input, memberId: memberId, requestId: requestId, now: now)
        }
        let validation = group.validateMember(memberId, groupInstanceId: input.groupInstanceId)
        guard validation == .none, let member = group.member(memberId) else {
            return respond(requestId, .join(.failure(validation, memberId: memberId)))
        }
        let sameMetadata = member.protocols == input.protocols
        switch group.state {
        case .preparingRebalance:
            updateMemberThenRebalance(input, requestId: requestId, now: now)
        case .completingRebalance where sameMetadata:
            // The member probably missed its JoinGroup response: repeat the current generation.
            respond(requestId, .join(currentGenerationResult(group, memberId: memberId, includeMembers: group.isLeader(memberId))))
        case .completingRebalance:
            updateMemberThenRebalance(input, requestId: requestId, now: now)
        case .stable where group.isLeader(memberId) || !sameMetadata:
            // A leader's JoinGroup asks for a rebalance (e.g. its topic metadata changed).
            updateMemberThenRebalance(input, requestId: requestId, now: now)
        case .stable:
            respond(requestId, .join(currentGenerationResult(group, memberId: memberId, includeMembers: false)))
        case .empty, .dead:
            respond(requestId, .join(.failure(.unknownMemberId, memberId: memberId)))
        }
    }

    func currentGenerationResult(_ group: ClassicGroup, memberId: String, includeMembers: Bool) -> JoinGroupResult {
        JoinGroupResult(
            errorCode: .none, generationId: group.generationId, protocolType: group.protocolType,
            protocolName: group.protocolName, leader: group.leaderId ?? "", skipAssignment: false,
            memberId: memberId, members: includeMembers ? group.joinResponseMembers() : [])
    }

    private mutating func addMemberThenRebalance(_ input: JoinGroupInput, memberId: String, requestId: RequestId, now: Int64) {
        guard var group = groups[input.groupId] else { return }
        var member = GroupMember(
            memberId: memberId, groupInstanceId: input.groupInstanceId, clientId: input.clientId,
            clientHost: input.clientHost, sessionTimeoutMilliseconds: input.sessionTimeoutMilliseconds,
            rebalanceTimeoutMilliseconds: input.rebalanceTimeoutMilliseconds, protocolType: input.protocolType,
            protocols: input.protocols)
        member.isNew = true
        member.awaitingJoin = requestId
        // A new member cannot heartbeat while its JoinGroup is parked; bound the wait instead.
        member.heartbeatDeadlineMilliseconds = now + Int64(configuration.newMemberJoinTimeoutMilliseconds)
        if group.state == .preparingRebalance && group.previousState == .empty { group.newMemberAdded = true }
        group.add(member)
        groups[input.groupId] = group
        maybePrepareRebalanceOrCompleteJoin(input.groupId, now: now)
    }

    private mutating func updateMemberThenRebalance(_ input: JoinGroupInput, requestId: RequestId, now: Int64) {
        updateMember(input, memberId: input.memberId, requestId: requestId)
        maybePrepareRebalanceOrCompleteJoin(input.groupId, now: now)
    }

    /// Takes a member's new protocols and timeouts and parks its JoinGroup. A JoinGroup that was
    /// already parked for it (the client retried) is answered REBALANCE_IN_PROGRESS so that every
    /// request gets exactly one answer.
    mutating func updateMember(_ input: JoinGroupInput, memberId: String, requestId: RequestId) {
        var superseded: RequestId?
        groups[input.groupId]?.update(memberId) { member in
            member.protocols = input.protocols
            member.rebalanceTimeoutMilliseconds = input.rebalanceTimeoutMilliseconds
            member.sessionTimeoutMilliseconds = input.sessionTimeoutMilliseconds
            superseded = member.awaitingJoin
            member.awaitingJoin = requestId
        }
        if let superseded, superseded != requestId {
            respond(superseded, .join(.failure(.rebalanceInProgress, memberId: memberId)))
        }
    }

    /// A static member came back without its member id (for example after a restart): it takes
    /// over the old id's place and assignment, and the old id is fenced.
    private mutating func replaceStaticMember(
        _ input: JoinGroupInput, oldMemberId: String, newMemberId: String, requestId: RequestId, now: Int64
    ) {
        guard var group = groups[input.groupId], let instanceId = input.groupInstanceId else { return }
        let previousLeader = group.leaderId
        guard let old = group.replaceStaticMember(instanceId: instanceId, oldMemberId: oldMemberId, newMemberId: newMemberId)
        else { return }
        groups[input.groupId] = group
        if let parked = old.awaitingJoin {
            respond(parked, .join(.failure(.fencedInstanceId, memberId: oldMemberId)))
        }
        if let parked = old.awaitingSync { respond(parked, .sync(.failure(.fencedInstanceId))) }
        groups[input.groupId]?.update(newMemberId) {
            $0.heartbeatDeadlineMilliseconds = now + Int64($0.sessionTimeoutMilliseconds)
        }
        updateMember(input, memberId: newMemberId, requestId: requestId)
        guard let updated = groups[input.groupId] else { return }

        switch updated.state {
        case .stable where updated.protocolName == updated.selectProtocol():
            // Nothing the assignment depends on changed: persist the new id and answer at once.
            persist(.groupMetadata(groupId: input.groupId, groupMetadataValue(updated)))
            groups[input.groupId]?.update(newMemberId) { $0.awaitingJoin = nil }
            var result = currentGenerationResult(updated, memberId: newMemberId, includeMembers: false)
            if updated.isLeader(newMemberId) && input.supportsSkippingAssignment {
                result.members = updated.joinResponseMembers()
                result.skipAssignment = true
            } else {
                // An older leader client must not recompute the assignment: name the old id as
                // leader so it behaves as a follower and just fetches its assignment.
                result.leader = previousLeader ?? ""
            }
            respond(requestId, .join(result))
        case .stable:
            maybePrepareRebalanceOrCompleteJoin(input.groupId, now: now)
        case .completingRebalance:
            // The leader may already be computing an assignment for the old id: start over.
            prepareRebalance(input.groupId, now: now)
        case .preparingRebalance:
            maybeCompleteJoinPhase(input.groupId, now: now)
        case .empty, .dead:
            // A group with a static member is never empty; answer rather than strand the request.
            groups[input.groupId]?.update(newMemberId) { $0.awaitingJoin = nil }
            respond(requestId, .join(.failure(.unknownMemberId, memberId: newMemberId)))
        }
    }

    private mutating func generateMemberId(_ group: ClassicGroup, prefix: String) -> String {
        while true {
            memberIdSequence += 1
            let candidate = "\(prefix)-\(memberIdSalt)-\(memberIdSequence)"
            if !group.hasMember(candidate) && group.pendingMembers[candidate] == nil { return candidate }
        }
    }
}
