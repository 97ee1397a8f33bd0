// The coordinator's own domain types for requests, responses and outputs.
//
// The broker maps Kafka wire messages (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
// DeleteGroups, OffsetDelete) onto these inputs and the results back onto wire responses. Keeping
// them here lets the core stay free of the protocol module and of NIO. Version-dependent wire
// details are flattened into plain fields: `requireKnownMemberId` is true for JoinGroup v4+,
// `supportsSkippingAssignment` for v9+; a JoinGroup v0 has no rebalance timeout, so the broker
// passes the session timeout there, as Kafka does.

/// Identifies one pending request. The caller chooses it; the coordinator hands it back with the
/// response, possibly many calls later (a JoinGroup waits for the rebalance to finish).
public struct RequestId: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "#\(rawValue)" }
}

/// One partition assignment protocol a member supports, with its opaque metadata
/// (for `consumer` groups: the serialized subscription).
public struct GroupProtocol: Hashable, Sendable {
    public var name: String
    public var metadata: [UInt8]
    public init(name: String, metadata: [UInt8]) {
        self.name = name
        self.metadata = metadata
    }
}

/// A JoinGroup request.
public struct JoinGroupInput: Sendable, Equatable {
    public var groupId: String
    /// Empty when the member does not know its id yet.
    public var memberId: String
    /// Set for static members (KIP-345, JoinGroup v5+).
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    public var sessionTimeoutMilliseconds: Int32
    /// The client's `max.poll.interval.ms`. Zero or negative means "use the session timeout".
    public var rebalanceTimeoutMilliseconds: Int32
    public var protocolType: String
    /// In the member's order of preference.
    public var protocols: [GroupProtocol]
    /// JoinGroup v4+ (KIP-394): an unknown dynamic member first gets MEMBER_ID_REQUIRED.
    public var requireKnownMemberId: Bool
    /// JoinGroup v9+ (KIP-814): a rejoining static leader may skip computing an assignment.
    public var supportsSkippingAssignment: Bool
    public var reason: String?

    public init(
        groupId: String, memberId: String = "", groupInstanceId: String? = nil,
        clientId: String, clientHost: String, sessionTimeoutMilliseconds: Int32,
        rebalanceTimeoutMilliseconds: Int32, protocolType: String, protocols: [GroupProtocol],
        requireKnownMemberId: Bool = true, supportsSkippingAssignment: Bool = false, reason: String? = nil
    ) {
        self.groupId = groupId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
        self.protocolType = protocolType
        self.protocols = protocols
        self.requireKnownMemberId = requireKnownMemberId
        self.supportsSkippingAssignment = supportsSkippingAssignment
        self.reason = reason
    }
}

/// One member's assignment as sent by the leader in SyncGroup. The bytes are opaque and are
/// handed to the member exactly as received.
public struct MemberAssignment: Hashable, Sendable {
    public var memberId: String
    public var assignment: [UInt8]
    public init(memberId: String, assignment: [UInt8]) {
        self.memberId = memberId
        self.assignment = assignment
    }
}

/// A SyncGroup request.
public struct SyncGroupInput: Sendable, Equatable {
    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public var groupInstanceId: String?
    /// SyncGroup v5+; nil when the client did not send it.
    public var protocolType: String?
    /// SyncGroup v5+; nil when the client did not send it.
    public var protocolName: String?
    /// Only the leader sends assignments; followers send none.
    public var assignments: [MemberAssignment]

    public init(
        groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil,
        protocolType: String? = nil, protocolName: String? = nil, assignments: [MemberAssignment] = []
    ) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }
}

/// A Heartbeat request.
public struct HeartbeatInput: Sendable, Equatable {
    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public var groupInstanceId: String?

    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
    }
}

/// One member named in a LeaveGroup request (v3+ batch form; v0–2 name exactly one member).
public struct LeavingMember: Sendable, Equatable {
    /// Empty when an administrator removes a static member by instance id only.
    public var memberId: String
    public var groupInstanceId: String?
    public var reason: String?

    public init(memberId: String, groupInstanceId: String? = nil, reason: String? = nil) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.reason = reason
    }
}

/// A LeaveGroup request.
public struct LeaveGroupInput: Sendable, Equatable {
    public var groupId: String
    public var members: [LeavingMember]
    public init(groupId: String, members: [LeavingMember]) {
        self.groupId = groupId
        self.members = members
    }
}

/// A topic partition named by topic name.
public struct TopicPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public static func < (left: TopicPartition, right: TopicPartition) -> Bool {
        (left.topic, left.partition) < (right.topic, right.partition)
    }
    public var description: String { "\(topic)-\(partition)" }
}

/// One partition's offset in an OffsetCommit request.
public struct OffsetCommitEntry: Sendable, Equatable {
    public var topicPartition: TopicPartition
    public var offset: Int64
    /// -1 when unknown.
    public var leaderEpoch: Int32
    public var metadata: String

    public init(topicPartition: TopicPartition, offset: Int64, leaderEpoch: Int32 = -1, metadata: String = "") {
        self.topicPartition = topicPartition
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
    }
}

/// An OffsetCommit request.
public struct OffsetCommitInput: Sendable, Equatable {
    public var groupId: String
    /// -1 for a "simple" consumer that commits without group membership.
    public var generationId: Int32
    /// Empty for a simple consumer.
    public var memberId: String
    public var groupInstanceId: String?
    public var offsets: [OffsetCommitEntry]

    public init(
        groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil,
        offsets: [OffsetCommitEntry]
    ) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.offsets = offsets
    }
}

/// The answer to a JoinGroup.
public struct JoinGroupResult: Sendable, Equatable {
    /// A member of the group as the leader sees it in its JoinGroup response.
    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var metadata: [UInt8]
    }

    public var errorCode: GroupErrorCode
    /// -1 on errors.
    public var generationId: Int32
    public var protocolType: String?
    public var protocolName: String?
    /// Empty on errors.
    public var leader: String
    public var skipAssignment: Bool
    public var memberId: String
    /// Filled for the leader only.
    public var members: [Member]

    static func failure(_ errorCode: GroupErrorCode, memberId: String) -> JoinGroupResult {
        JoinGroupResult(
            errorCode: errorCode, generationId: -1, protocolType: nil, protocolName: nil, leader: "",
            skipAssignment: false, memberId: memberId, members: [])
    }
}

/// The answer to a SyncGroup.
public struct SyncGroupResult: Sendable, Equatable {
    public var errorCode: GroupErrorCode
    public var protocolType: String?
    public var protocolName: String?
    /// Exactly the bytes the leader sent for this member (empty if it sent none).
    public var assignment: [UInt8]

    static func failure(_ errorCode: GroupErrorCode) -> SyncGroupResult {
        SyncGroupResult(errorCode: errorCode, protocolType: nil, protocolName: nil, assignment: [])
    }
}

/// The answer for one member of a LeaveGroup.
public struct LeavingMemberResult: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    public var errorCode: GroupErrorCode
}

/// The answer to a LeaveGroup: a top-level error, or one result per named member.
public struct LeaveGroupResult: Sendable, Equatable {
    public var errorCode: GroupErrorCode
    public var members: [LeavingMemberResult]
}

/// The answer for one partition of an OffsetCommit or OffsetDelete.
public struct PartitionResult: Sendable, Equatable {
    public var topicPartition: TopicPartition
    public var errorCode: GroupErrorCode
}

/// The answer to an OffsetDelete: a top-level error, or one result per partition.
public struct OffsetDeleteResult: Sendable, Equatable {
    public var errorCode: GroupErrorCode
    public var partitions: [PartitionResult]
}

/// The answer for one group of a DeleteGroups.
public struct GroupDeletionResult: Sendable, Equatable {
    public var groupId: String
    public var errorCode: GroupErrorCode
}

/// A response to one request.
public enum GroupResponse: Sendable, Equatable {
    case join(JoinGroupResult)
    case sync(SyncGroupResult)
    case heartbeat(GroupErrorCode)
    case leave(LeaveGroupResult)
    case offsetCommit([PartitionResult])
    case offsetDelete(OffsetDeleteResult)
    case deleteGroups([GroupDeletionResult])
}

/// A response and the request it answers.
public struct AddressedGroupResponse: Sendable, Equatable {
    public var requestId: RequestId
    public var response: GroupResponse
}

/// What the caller must do after each call, in this order (as etcd/raft's `Ready`):
/// 1. append `records` to the group's `__consumer_offsets` partition (durably, in order);
/// 2. only then send `responses` (a response may announce state that the records make durable);
/// 3. arrange to call `tick(nowMilliseconds:)` at `nextDeadlineMilliseconds` (earlier is harmless).
/// Every request gets exactly one response, in this call or a later one.
public struct GroupCoordinatorOutput: Sendable, Equatable {
    public var records: [CoordinatorRecord] = []
    public var responses: [AddressedGroupResponse] = []
    /// The earliest time a timer (session, rebalance, initial delay, pending sync) fires; nil if none.
    public var nextDeadlineMilliseconds: Int64?

    public init() {}
}
