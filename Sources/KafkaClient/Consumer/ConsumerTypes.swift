// Values the group consumer (`KafkaConsumer`) takes and hands out: its configuration, the
// auto.offset.reset policy, rebalance events, and the ConsumerProtocol encoding of
// subscriptions and assignments that Java and librdkafka members read too.
import KafkaProtocol
import NIOCore

/// Where a consumer starts in a partition the group has no committed offset for (or whose
/// committed offset is out of range). Kafka's `auto.offset.reset`.
public enum AutoOffsetReset: String, Sendable, CaseIterable {
    case earliest
    case latest
    /// Fail with NO_OFFSET_FOR_PARTITION-style `.invalidArgument` instead of guessing.
    case none
}

/// A change of the partitions this consumer owns.
public enum RebalanceEvent: Sendable, Equatable {
    /// Partitions now owned; positions come from committed offsets or `autoOffsetReset`.
    case assigned([TopicPartition])
    /// Partitions given up in an orderly way (their positions were committed first when
    /// auto-commit is on).
    case revoked([TopicPartition])
    /// Partitions lost without a chance to commit (session expired, fenced, unknown member).
    case lost([TopicPartition])
}

extension KafkaConsumer {
    public struct Configuration: Sendable {
        /// Consumer group; nil for a consumer that only uses manual `assign` and never commits.
        public var groupId: String?
        /// Static membership (group.instance.id).
        public var groupInstanceId: String?
        /// Offered in this order; all must be cooperative for the cooperative rebalance protocol.
        public var assignors: [ConsumerAssignor]
        public var sessionTimeoutMilliseconds: Int32
        /// How long the coordinator waits for members to rejoin (Kafka's max.poll.interval.ms).
        public var rebalanceTimeoutMilliseconds: Int32
        public var heartbeatIntervalMilliseconds: Int32
        public var autoOffsetReset: AutoOffsetReset
        public var enableAutoCommit: Bool
        public var autoCommitIntervalMilliseconds: Int64
        /// Most records one `poll` returns (max.poll.records).
        public var maxPollRecords: Int
        /// Records buffered per partition before the consumer stops fetching it: the
        /// back-pressure bound on memory when the application reads slowly.
        public var bufferedRecordsPerPartitionMax: Int
        public var fetchMaxWaitMilliseconds: Int32
        public var fetchMinBytes: Int32
        /// Most bytes one fetch answer carries over all partitions.
        public var fetchMaxBytes: Int32
        public var partitionFetchMaxBytes: Int32
        /// Largest decompressed batch body accepted.
        public var decompressedBytesMax: Int
        public var retryBackoffMilliseconds: Int64
        /// Awaited on every rebalance event before the consumer goes on (commit or flush state
        /// here); events are also on `rebalanceEvents`.
        public var onRebalance: (@Sendable (RebalanceEvent) async -> Void)?

        public init(
            groupId: String? = nil, groupInstanceId: String? = nil, assignors: [ConsumerAssignor] = [.range, .roundRobin],
            sessionTimeoutMilliseconds: Int32 = 45_000, rebalanceTimeoutMilliseconds: Int32 = 300_000,
            heartbeatIntervalMilliseconds: Int32 = 3_000, autoOffsetReset: AutoOffsetReset = .latest, enableAutoCommit: Bool = true,
            autoCommitIntervalMilliseconds: Int64 = 5_000, maxPollRecords: Int = 500, bufferedRecordsPerPartitionMax: Int = 2_000,
            fetchMaxWaitMilliseconds: Int32 = 500, fetchMinBytes: Int32 = 1, fetchMaxBytes: Int32 = 52_428_800,
            partitionFetchMaxBytes: Int32 = 1_048_576, decompressedBytesMax: Int = Compression.decompressedBytesMaxDefault,
            retryBackoffMilliseconds: Int64 = 100, onRebalance: (@Sendable (RebalanceEvent) async -> Void)? = nil
        ) {
            self.groupId = groupId
            self.groupInstanceId = groupInstanceId
            self.assignors = assignors
            self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
            self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
            self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
            self.autoOffsetReset = autoOffsetReset
            self.enableAutoCommit = enableAutoCommit
            self.autoCommitIntervalMilliseconds = autoCommitIntervalMilliseconds
            self.maxPollRecords = maxPollRecords
            self.bufferedRecordsPerPartitionMax = bufferedRecordsPerPartitionMax
            self.fetchMaxWaitMilliseconds = fetchMaxWaitMilliseconds
            self.fetchMinBytes = fetchMinBytes
            self.fetchMaxBytes = fetchMaxBytes
            self.partitionFetchMaxBytes = partitionFetchMaxBytes
            self.decompressedBytesMax = decompressedBytesMax
            self.retryBackoffMilliseconds = retryBackoffMilliseconds
            self.onRebalance = onRebalance
        }

        /// The rebalance protocol the configured assignors allow (Kafka's rule: cooperative
        /// only when every assignor supports it).
        public var rebalanceProtocol: RebalanceProtocol {
            !assignors.isEmpty && assignors.allSatisfy { $0.rebalanceProtocol == .cooperative } ? .cooperative : .eager
        }

        public func validate() throws(KafkaError) {
            func invalid(_ why: String) -> KafkaError {
                KafkaError(kind: .invalidArgument, context: "configuring a consumer", detail: why)
            }
            if let groupId, groupId.isEmpty { throw invalid("the group id is empty; use nil for a consumer without a group") }
            if groupInstanceId != nil && groupId == nil { throw invalid("a group instance id needs a group id") }
            guard !assignors.isEmpty else { throw invalid("no assignor configured") }
            guard Set(assignors.map(\.name)).count == assignors.count else { throw invalid("two assignors share a name") }
            guard maxPollRecords > 0 else { throw invalid("maxPollRecords must be positive") }
            guard bufferedRecordsPerPartitionMax > 0 else { throw invalid("bufferedRecordsPerPartitionMax must be positive") }
            guard autoCommitIntervalMilliseconds > 0 else { throw invalid("the auto-commit interval must be positive") }
            guard fetchMaxWaitMilliseconds >= 0, fetchMinBytes >= 0, fetchMaxBytes > 0, partitionFetchMaxBytes > 0 else {
                throw invalid("fetch sizes must be positive and the fetch wait not negative")
            }
            guard retryBackoffMilliseconds >= 0 else { throw invalid("the retry backoff is negative") }
        }
    }
}

/// The ConsumerProtocol bytes inside JoinGroup metadata and SyncGroup assignments.
enum ConsumerProtocolCodec {
    /// Subscription version written: v3 carries topics, owned partitions, generation and rack.
    /// Readers of older versions (librdkafka, Java) read the fields they know and skip the rest.
    static let subscriptionVersion: Int16 = 3
    /// Assignment version written; versions 0 to 3 share one layout.
    static let assignmentVersion: Int16 = 1

    static func encodeSubscription(topics: [String], ownedPartitions: [TopicPartition], generationId: Int32) -> ByteBuffer {
        var buffer = ByteBuffer()
        ConsumerProtocolSubscription(
            topics: topics.sorted(), ownedPartitions: grouped(ownedPartitions).map { .init(topic: $0.topic, partitions: $0.partitions) },
            generationId: generationId
        ).encodeWithVersionPrefix(into: &buffer, version: subscriptionVersion)
        return buffer
    }

    static func decodeSubscription(_ member: GroupMemberMetadata) throws(KafkaError) -> ConsumerGroupSubscriber {
        var buffer = member.metadata
        do {
            let (_, subscription) = try ConsumerProtocolSubscription.decodeWithVersionPrefix(from: &buffer)
            return ConsumerGroupSubscriber(
                memberId: member.memberId, groupInstanceId: member.groupInstanceId, topics: subscription.topics,
                ownedPartitions: subscription.ownedPartitions.flatMap { topic in topic.partitions.map { TopicPartition(topic: topic.topic, partition: $0) } },
                generationId: subscription.generationId)
        } catch {
            throw KafkaError(
                kind: .protocolViolation, context: "reading the subscription of member \(member.memberId)", detail: "\(error)")
        }
    }

    static func encodeAssignment(_ partitions: [TopicPartition]) -> ByteBuffer {
        var buffer = ByteBuffer()
        ConsumerProtocolAssignment(assignedPartitions: grouped(partitions).map { .init(topic: $0.topic, partitions: $0.partitions) })
            .encodeWithVersionPrefix(into: &buffer, version: assignmentVersion)
        return buffer
    }

    /// Empty bytes are an empty assignment (what a coordinator gives a member the leader left out).
    static func decodeAssignment(_ bytes: ByteBuffer) throws(KafkaError) -> [TopicPartition] {
        guard let partitions = ConsumerGroupDescription.decodeAssignment(bytes) else {
            throw KafkaError(kind: .protocolViolation, context: "reading this member's assignment", detail: "the bytes are not a consumer-protocol assignment")
        }
        return partitions
    }

    static func grouped(_ partitions: [TopicPartition]) -> [(topic: String, partitions: [Int32])] {
        KafkaAdmin.partitionsByTopic(partitions)
    }
}
