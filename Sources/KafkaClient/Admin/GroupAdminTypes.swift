// Values the consumer-group admin calls take and return: group listings and descriptions,
// members with their decoded assignments, committed offsets with lag, per-group outcomes, and
// the offset-reset specification and plan.
import KafkaProtocol
import NIOCore

/// A classic group's state as the coordinator names it (Kafka's ClassicGroupState). Extensible:
/// a broker may answer with a state this client does not know, which is kept verbatim.
public struct ConsumerGroupState: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public init(name: String) { self.name = name }

    public static let empty = ConsumerGroupState(name: "Empty")
    public static let stable = ConsumerGroupState(name: "Stable")
    public static let preparingRebalance = ConsumerGroupState(name: "PreparingRebalance")
    public static let completingRebalance = ConsumerGroupState(name: "CompletingRebalance")
    public static let dead = ConsumerGroupState(name: "Dead")

    public static let known: [ConsumerGroupState] = [.empty, .stable, .preparingRebalance, .completingRebalance, .dead]

    /// A known state named without regard to case ("stable", "Stable"); nil for anything else.
    public init?(parsing text: String) {
        guard let state = Self.known.first(where: { $0.name.lowercased() == text.lowercased() }) else { return nil }
        self = state
    }

    public var description: String { name }
}

/// One group as ListGroups shows it.
public struct ConsumerGroupListing: Sendable, Equatable {
    public var groupId: String
    /// "consumer" for Kafka consumers, "connect" for Connect workers, empty for groups that
    /// only ever had offsets committed (no member ever joined).
    public var protocolType: String
    public var state: ConsumerGroupState

    public init(groupId: String, protocolType: String, state: ConsumerGroupState) {
        self.groupId = groupId
        self.protocolType = protocolType
        self.state = state
    }
}

/// One member of a described group.
public struct ConsumerGroupMember: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    public var clientId: String
    public var host: String
    /// Partitions the leader assigned to this member, decoded from the ConsumerProtocolAssignment
    /// bytes; empty while a rebalance is under way or when the group does not use the consumer
    /// protocol (see `assignmentIsReadable`).
    public var assignedPartitions: [TopicPartition]
    /// False when the member has assignment bytes that are not a consumer-protocol assignment.
    public var assignmentIsReadable: Bool

    public init(
        memberId: String, groupInstanceId: String? = nil, clientId: String, host: String, assignedPartitions: [TopicPartition],
        assignmentIsReadable: Bool = true
    ) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.host = host
        self.assignedPartitions = assignedPartitions
        self.assignmentIsReadable = assignmentIsReadable
    }
}

/// A group as DescribeGroups shows it.
public struct ConsumerGroupDescription: Sendable, Equatable {
    public var groupId: String
    /// `.dead` for a group the coordinator does not know.
    public var state: ConsumerGroupState
    public var protocolType: String
    /// The chosen assignor ("range", "roundrobin", ...); Kafka names it only while Stable.
    public var protocolName: String
    public var members: [ConsumerGroupMember]
    /// The coordinator's broker id.
    public var coordinatorId: Int32

    public init(
        groupId: String, state: ConsumerGroupState, protocolType: String, protocolName: String, members: [ConsumerGroupMember],
        coordinatorId: Int32
    ) {
        self.groupId = groupId
        self.state = state
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.members = members
        self.coordinatorId = coordinatorId
    }

    /// Whether the coordinator knows the group (Kafka reports unknown groups as Dead).
    public var exists: Bool { state != .dead }

    /// The member each partition is assigned to.
    public var ownerByPartition: [TopicPartition: ConsumerGroupMember] {
        var owners: [TopicPartition: ConsumerGroupMember] = [:]
        for member in members {
            for partition in member.assignedPartitions { owners[partition] = member }
        }
        return owners
    }

    /// Decodes a member's assignment bytes (int16 version prefix, then the body). Empty bytes
    /// are an empty assignment; nil means the bytes are not a consumer-protocol assignment.
    public static func decodeAssignment(_ bytes: ByteBuffer) -> [TopicPartition]? {
        guard bytes.readableBytes > 0 else { return [] }
        var buffer = bytes
        guard let (_, assignment) = try? ConsumerProtocolAssignment.decodeWithVersionPrefix(from: &buffer) else { return nil }
        return assignment.assignedPartitions.flatMap { topic in
            topic.partitions.map { TopicPartition(topic: topic.topic, partition: $0) }
        }.sorted()
    }
}

/// The outcome for one group of a multi-group admin request.
public struct GroupOutcome: Sendable {
    public var groupId: String
    /// Nil when the operation succeeded for this group.
    public var error: KafkaError?
}

/// A group's position in one partition.
public struct PartitionLag: Sendable, Equatable {
    public var topicPartition: TopicPartition
    /// Nil when the group has not committed an offset for the partition.
    public var committedOffset: Int64?
    /// The offset the next record will get (ListOffsets latest); nil when the topic is gone.
    public var logEndOffset: Int64?
    /// The member the partition is assigned to, if any.
    public var memberId: String?

    public init(topicPartition: TopicPartition, committedOffset: Int64?, logEndOffset: Int64?, memberId: String? = nil) {
        self.topicPartition = topicPartition
        self.committedOffset = committedOffset
        self.logEndOffset = logEndOffset
        self.memberId = memberId
    }

    /// Records the group has still to read; nil without a committed offset or log end. Never
    /// negative: a commit past the log end (possible after the log was truncated) is caught up.
    public var lag: Int64? {
        guard let committedOffset, let logEndOffset else { return nil }
        return max(0, logEndOffset - committedOffset)
    }
}

/// Where `resetOffsets` moves a group (Kafka's kafka-consumer-groups.sh --reset-offsets specs).
public enum OffsetResetSpec: Sendable, Equatable {
    /// The log start offset.
    case earliest
    /// The log end offset.
    case latest
    /// This offset, clamped to the partition's [log start, log end].
    case offset(Int64)
    /// The first record with a timestamp at or after these milliseconds since the epoch; the log
    /// end when there is none.
    case timestamp(Int64)
    /// The committed offset moved by this many records (negative goes back), clamped to
    /// [log start, log end]. Needs a committed offset.
    case shift(Int64)
}

/// One partition of an offset-reset plan.
public struct OffsetResetPlanEntry: Sendable, Equatable {
    public var topicPartition: TopicPartition
    /// Nil when the group has no committed offset for the partition.
    public var currentOffset: Int64?
    public var newOffset: Int64

    public init(topicPartition: TopicPartition, currentOffset: Int64?, newOffset: Int64) {
        self.topicPartition = topicPartition
        self.currentOffset = currentOffset
        self.newOffset = newOffset
    }
}
