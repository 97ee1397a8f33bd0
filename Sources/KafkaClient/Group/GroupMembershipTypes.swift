// Values the classic group protocol engine (`GroupMembership`) takes and hands out: its
// configuration, the protocols a member offers, what the leader's assignor sees, the generation
// a member holds, and the callbacks through which the embedding protocol (Kafka consumers,
// schema-registry primary election, ...) takes part in each rebalance.
import KafkaProtocol
import NIOCore

/// One protocol a member offers in JoinGroup: a name ("range", "sr-v1") and opaque metadata
/// that only the embedding protocol understands.
public struct GroupProtocol: Sendable, Equatable {
    public var name: String
    public var metadata: ByteBuffer

    public init(name: String, metadata: ByteBuffer) {
        self.name = name
        self.metadata = metadata
    }
}

/// A member as the leader sees it in the JoinGroup answer.
public struct GroupMemberMetadata: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    /// The member's metadata for the protocol the coordinator chose.
    public var metadata: ByteBuffer

    public init(memberId: String, groupInstanceId: String?, metadata: ByteBuffer) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.metadata = metadata
    }
}

/// A generation this member joined and synced.
public struct GroupGeneration: Sendable, Equatable {
    public var generationId: Int32
    public var memberId: String
    public var leaderId: String
    /// The protocol the coordinator chose for this generation.
    public var protocolName: String

    public init(generationId: Int32, memberId: String, leaderId: String, protocolName: String) {
        self.generationId = generationId
        self.memberId = memberId
        self.leaderId = leaderId
        self.protocolName = protocolName
    }

    public var isLeader: Bool { memberId == leaderId }
}

/// What the leader's assignment callback gets.
public struct GroupAssignmentContext: Sendable {
    public var generationId: Int32
    public var protocolName: String
    public var leaderId: String
    /// Every member of the new generation, the leader included.
    public var members: [GroupMemberMetadata]
}

/// How the embedding protocol takes part in rebalances. Each callback is awaited by the
/// membership loop, so heartbeats pause while it runs: keep them short (well under the session
/// timeout).
public struct GroupMembershipHandlers: Sendable {
    /// The protocols to offer in the next JoinGroup, preferred first (asked before every join,
    /// so metadata can carry current state such as owned partitions).
    public var protocols: @Sendable () async -> [GroupProtocol]
    /// Leader only: assignment bytes per member id. Members left out get empty bytes.
    public var assign: @Sendable (GroupAssignmentContext) async throws(KafkaError) -> [String: ByteBuffer]
    /// Called before a JoinGroup while a synced generation is held (the previous one is passed):
    /// an eager protocol gives up what it owns here.
    public var willRejoin: @Sendable (GroupGeneration) async -> Void
    /// A generation was joined and synced with these assignment bytes. Return true to rejoin at
    /// once (a cooperative member that revoked partitions does so).
    public var joined: @Sendable (GroupGeneration, ByteBuffer) async -> Bool
    /// The membership was lost without a chance to revoke (session expired, unknown member,
    /// illegal generation): what the member owned may already belong to someone else.
    public var lost: @Sendable (KafkaError) async -> Void
    /// A non-retriable failure ended the membership (fenced static member, inconsistent
    /// protocol, authorization). The loop has stopped.
    public var failed: @Sendable (KafkaError) async -> Void

    public init(
        protocols: @escaping @Sendable () async -> [GroupProtocol],
        assign: @escaping @Sendable (GroupAssignmentContext) async throws(KafkaError) -> [String: ByteBuffer],
        willRejoin: @escaping @Sendable (GroupGeneration) async -> Void = { _ in },
        joined: @escaping @Sendable (GroupGeneration, ByteBuffer) async -> Bool,
        lost: @escaping @Sendable (KafkaError) async -> Void = { _ in },
        failed: @escaping @Sendable (KafkaError) async -> Void = { _ in }
    ) {
        self.protocols = protocols
        self.assign = assign
        self.willRejoin = willRejoin
        self.joined = joined
        self.lost = lost
        self.failed = failed
    }
}

extension GroupMembership {
    public struct Configuration: Sendable {
        public var groupId: String
        /// "consumer" for Kafka consumers, "sr" for schema registries, ...
        public var protocolType: String
        /// Static membership (KIP-345): a member that restarts with the same id within the
        /// session timeout gets its place back without a rebalance.
        public var groupInstanceId: String?
        /// The coordinator drops a member it has not heard from for this long.
        public var sessionTimeoutMilliseconds: Int32
        /// How long the coordinator waits for every member to rejoin during a rebalance.
        public var rebalanceTimeoutMilliseconds: Int32
        /// Time between heartbeats; below a third of the session timeout by convention.
        public var heartbeatIntervalMilliseconds: Int32
        /// Wait before retrying after a retriable failure (coordinator moving, loading, ...).
        public var retryBackoffMilliseconds: Int64
        /// Sent to the coordinator with each join (JoinGroup v8+), for its logs.
        public var clientId: String

        public init(
            groupId: String, protocolType: String, groupInstanceId: String? = nil, sessionTimeoutMilliseconds: Int32 = 45_000,
            rebalanceTimeoutMilliseconds: Int32 = 300_000, heartbeatIntervalMilliseconds: Int32 = 3_000,
            retryBackoffMilliseconds: Int64 = 100, clientId: String = "brook"
        ) {
            self.groupId = groupId
            self.protocolType = protocolType
            self.groupInstanceId = groupInstanceId
            self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
            self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
            self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
            self.retryBackoffMilliseconds = retryBackoffMilliseconds
            self.clientId = clientId
        }

        /// Throws `.invalidArgument` for settings the protocol cannot work with.
        public func validate() throws(KafkaError) {
            func invalid(_ why: String) -> KafkaError {
                KafkaError(kind: .invalidArgument, context: "configuring membership of group \(groupId)", detail: why)
            }
            guard !groupId.isEmpty else { throw invalid("the group id is empty") }
            guard !protocolType.isEmpty else { throw invalid("the protocol type is empty") }
            if let groupInstanceId, groupInstanceId.isEmpty { throw invalid("the group instance id is empty; use nil for a dynamic member") }
            guard sessionTimeoutMilliseconds > 0, rebalanceTimeoutMilliseconds > 0, heartbeatIntervalMilliseconds > 0 else {
                throw invalid("timeouts and the heartbeat interval must be positive")
            }
            guard heartbeatIntervalMilliseconds < sessionTimeoutMilliseconds else {
                throw invalid("the heartbeat interval (\(heartbeatIntervalMilliseconds) ms) must be below the session timeout (\(sessionTimeoutMilliseconds) ms)")
            }
            guard retryBackoffMilliseconds >= 0 else { throw invalid("the retry backoff is negative") }
        }
    }
}
