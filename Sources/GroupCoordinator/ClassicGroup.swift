// The state of one classic consumer group and its members, with the bookkeeping that does not
// need the coordinator: adding and removing members, static-member mapping, protocol selection
// and the list of timers the group has armed.
//
// Facts follow Kafka's classic group (`ClassicGroup`, `ClassicGroupMember`, `ClassicGroupState`):
// members keep their join order so leader hand-over and outputs are deterministic (Kafka uses a
// hash map there, so its choice is arbitrary; any member is a valid choice).

/// The classic group states. `dead` exists for the wire (DescribeGroups of a deleted group);
/// the coordinator removes a deleted group instead of keeping it in that state.
public enum GroupState: String, Sendable, CaseIterable, CustomStringConvertible {
    case empty = "Empty"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"

    public var description: String { rawValue }
}

/// One member of a classic group.
struct GroupMember: Sendable {
    var memberId: String
    var groupInstanceId: String?
    var clientId: String
    var clientHost: String
    var sessionTimeoutMilliseconds: Int32
    var rebalanceTimeoutMilliseconds: Int32
    var protocolType: String
    var protocols: [GroupProtocol]
    var assignment: [UInt8] = []
    /// The JoinGroup parked until the join phase completes.
    var awaitingJoin: RequestId?
    /// The SyncGroup parked until the leader's assignment arrives.
    var awaitingSync: RequestId?
    /// A member that has not yet had a JoinGroup answered may be expired even while it waits.
    var isNew = false
    /// When the member is considered dead unless it heartbeats; nil while no expiry is armed.
    var heartbeatDeadlineMilliseconds: Int64?

    /// Whether a due heartbeat timer should leave this member alone: members parked in a
    /// rebalance cannot heartbeat, so waiting counts as alive (unless the member is new).
    var hasSatisfiedHeartbeat: Bool {
        if isNew { return false }
        return awaitingJoin != nil || awaitingSync != nil
    }

    func metadata(forProtocol name: String?) -> [UInt8] {
        protocols.first { $0.name == name }?.metadata ?? []
    }

    /// The member's most preferred protocol among `candidates`.
    func vote(_ candidates: Set<String>) -> String? {
        protocols.first { candidates.contains($0.name) }?.name
    }
}

/// The join-phase timer of a group.
enum JoinTimer: Sendable, Equatable {
    /// group.initial.rebalance.delay.ms: extended while new members keep arriving, up to the
    /// rebalance timeout in total.
    case initialDelay(deadlineMilliseconds: Int64, delayMilliseconds: Int64, remainingMilliseconds: Int64)
    /// The rebalance timeout: members that have not rejoined by then are dropped.
    case rebalance(deadlineMilliseconds: Int64)

    var deadlineMilliseconds: Int64 {
        switch self {
        case .initialDelay(let deadline, _, _): return deadline
        case .rebalance(let deadline): return deadline
        }
    }
}

/// A timer that a group has armed, in the order timers due at the same instant fire.
enum GroupTimer: Comparable, Sendable {
    case join
    case sync
    case memberHeartbeat(memberId: String)
    case pendingMember(memberId: String)
}

/// One classic consumer group.
struct ClassicGroup: Sendable {
    let groupId: String
    private(set) var state: GroupState = .empty
    private(set) var previousState: GroupState = .empty
    private(set) var stateTimestampMilliseconds: Int64?
    var protocolType: String?
    var protocolName: String?
    var generationId: Int32 = 0
    var leaderId: String?
    /// Member ids in join order.
    private(set) var memberOrder: [String] = []
    private(set) var members: [String: GroupMember] = [:]
    /// groupInstanceId → memberId.
    private(set) var staticMembers: [String: String] = [:]
    /// Dynamic members that got MEMBER_ID_REQUIRED and have not joined yet, with their expiry.
    var pendingMembers: [String: Int64] = [:]
    /// Members that have not sent SyncGroup for the current generation.
    var pendingSyncMembers: Set<String> = []
    /// Set when a member joins during the initial delay, to extend it once more.
    var newMemberAdded = false
    var joinTimer: JoinTimer?
    /// Pending-sync expiry and the generation it was armed for.
    var syncTimer: (deadlineMilliseconds: Int64, generationId: Int32)?

    init(groupId: String) {
        self.groupId = groupId
    }

    // MARK: Queries

    var isEmpty: Bool { state == .empty }
    var memberCount: Int { members.count }
    var orderedMembers: [GroupMember] { memberOrder.compactMap { members[$0] } }

    func member(_ memberId: String) -> GroupMember? { members[memberId] }
    func hasMember(_ memberId: String) -> Bool { members[memberId] != nil }
    func isLeader(_ memberId: String) -> Bool { leaderId == memberId }
    func staticMemberId(_ groupInstanceId: String) -> String? { staticMembers[groupInstanceId] }

    var awaitingJoinCount: Int { members.values.reduce(0) { $0 + ($1.awaitingJoin == nil ? 0 : 1) } }
    var hasAllMembersJoined: Bool { awaitingJoinCount == members.count && pendingMembers.isEmpty }

    /// The largest rebalance timeout among members: the join phase waits that long.
    var rebalanceTimeoutMilliseconds: Int64 {
        Int64(members.values.map(\.rebalanceTimeoutMilliseconds).max() ?? 0)
    }

    /// Whether a rebalance may start from the current state.
    var canRebalance: Bool { [.stable, .completingRebalance, .empty].contains(state) }

    /// Validates that a request's member id (and instance id, when given) name a current member.
    func validateMember(_ memberId: String, groupInstanceId: String?) -> GroupErrorCode {
        if let groupInstanceId {
            guard let existing = staticMembers[groupInstanceId] else { return .unknownMemberId }
            if existing != memberId { return .fencedInstanceId }
        }
        return members[memberId] == nil ? .unknownMemberId : .none
    }

    /// Protocols supported by every member.
    private var candidateProtocols: Set<String> {
        var counts: [String: Int] = [:]
        for member in members.values {
            for name in Set(member.protocols.map(\.name)) { counts[name, default: 0] += 1 }
        }
        return Set(counts.filter { $0.value == members.count }.keys)
    }

    /// Whether a member with this protocol type and these protocols may join.
    func supportsProtocols(type: String, names: [String]) -> Bool {
        if state == .empty { return !type.isEmpty && !names.isEmpty }
        guard protocolType == type else { return false }
        let candidates = candidateProtocols
        return names.contains { candidates.contains($0) }
    }

    /// The protocol with the most first-choice votes among those every member supports;
    /// ties go to the lexicographically smallest name so the choice is deterministic.
    func selectProtocol() -> String? {
        let candidates = candidateProtocols
        var votes: [String: Int] = [:]
        for member in members.values {
            if let vote = member.vote(candidates) { votes[vote, default: 0] += 1 }
        }
        return votes.max { left, right in
            left.value != right.value ? left.value < right.value : left.key > right.key
        }?.key
    }

    /// The member list the leader gets in its JoinGroup response.
    func joinResponseMembers() -> [JoinGroupResult.Member] {
        orderedMembers.map {
            JoinGroupResult.Member(
                memberId: $0.memberId, groupInstanceId: $0.groupInstanceId,
                metadata: $0.metadata(forProtocol: protocolName))
        }
    }

    // MARK: Changes

    mutating func transition(to newState: GroupState, nowMilliseconds: Int64) {
        previousState = state
        state = newState
        stateTimestampMilliseconds = nowMilliseconds
    }

    /// Restores state from a persisted record without a transition.
    mutating func restore(state: GroupState, stateTimestampMilliseconds: Int64?) {
        self.state = state
        self.previousState = state
        self.stateTimestampMilliseconds = stateTimestampMilliseconds
    }

    mutating func add(_ member: GroupMember) {
        if let instanceId = member.groupInstanceId { staticMembers[instanceId] = member.memberId }
        if members.isEmpty { protocolType = member.protocolType }
        if leaderId == nil { leaderId = member.memberId }
        if members[member.memberId] == nil { memberOrder.append(member.memberId) }
        members[member.memberId] = member
        pendingMembers[member.memberId] = nil
    }

    mutating func update(_ memberId: String, _ change: (inout GroupMember) -> Void) {
        guard var member = members[memberId] else { return }
        change(&member)
        members[memberId] = member
    }

    /// Removes a member; the leader role passes to the earliest-joined remaining member.
    /// Returns the removed member so the caller can answer its parked requests.
    @discardableResult
    mutating func remove(_ memberId: String) -> GroupMember? {
        let removed = members.removeValue(forKey: memberId)
        if let removed {
            memberOrder.removeAll { $0 == memberId }
            if let instanceId = removed.groupInstanceId { staticMembers[instanceId] = nil }
        }
        if leaderId == memberId { leaderId = memberOrder.first }
        pendingMembers[memberId] = nil
        pendingSyncMembers.remove(memberId)
        return removed
    }

    /// Replaces a static member's id, keeping its place, settings and assignment.
    /// Returns the old member so the caller can fence its parked requests.
    mutating func replaceStaticMember(instanceId: String, oldMemberId: String, newMemberId: String) -> GroupMember? {
        guard var member = members.removeValue(forKey: oldMemberId) else { return nil }
        let old = member
        member.memberId = newMemberId
        member.awaitingJoin = nil
        member.awaitingSync = nil
        member.isNew = false
        members[newMemberId] = member
        if let index = memberOrder.firstIndex(of: oldMemberId) { memberOrder[index] = newMemberId }
        if leaderId == oldMemberId { leaderId = newMemberId }
        staticMembers[instanceId] = newMemberId
        pendingSyncMembers.remove(oldMemberId)
        return old
    }

    /// If the leader has not rejoined, hands leadership to a member that has.
    /// Returns false when the group has no leader or nobody rejoined.
    mutating func maybeElectNewJoinedLeader() -> Bool {
        guard let leaderId, let leader = members[leaderId] else { return false }
        if leader.awaitingJoin != nil { return true }
        guard let replacement = orderedMembers.first(where: { $0.awaitingJoin != nil }) else { return false }
        self.leaderId = replacement.memberId
        return true
    }

    /// Starts the next generation: CompletingRebalance with a chosen protocol, or Empty.
    mutating func initNextGeneration(nowMilliseconds: Int64) {
        // Generations only need to differ from the previous one; wrap rather than trap.
        generationId = generationId == Int32.max ? 1 : generationId + 1
        if members.isEmpty {
            protocolName = nil
            transition(to: .empty, nowMilliseconds: nowMilliseconds)
        } else {
            protocolName = selectProtocol()
            transition(to: .completingRebalance, nowMilliseconds: nowMilliseconds)
        }
        pendingSyncMembers = []
    }

    // MARK: Timers

    /// Every armed timer with its deadline.
    func armedTimers() -> [(deadlineMilliseconds: Int64, timer: GroupTimer)] {
        var timers: [(Int64, GroupTimer)] = []
        if let joinTimer { timers.append((joinTimer.deadlineMilliseconds, .join)) }
        if let syncTimer { timers.append((syncTimer.deadlineMilliseconds, .sync)) }
        for (memberId, member) in members {
            if let deadline = member.heartbeatDeadlineMilliseconds {
                timers.append((deadline, .memberHeartbeat(memberId: memberId)))
            }
        }
        for (memberId, deadline) in pendingMembers { timers.append((deadline, .pendingMember(memberId: memberId))) }
        return timers.map { (deadlineMilliseconds: $0.0, timer: $0.1) }
    }

    /// The timer that fires first among those due at or before `nowMilliseconds`.
    func earliestDueTimer(nowMilliseconds: Int64) -> (deadlineMilliseconds: Int64, timer: GroupTimer)? {
        armedTimers()
            .filter { $0.deadlineMilliseconds <= nowMilliseconds }
            .min { ($0.deadlineMilliseconds, $0.timer) < ($1.deadlineMilliseconds, $1.timer) }
    }

    var nextDeadlineMilliseconds: Int64? { armedTimers().map(\.deadlineMilliseconds).min() }
}
