// Records the coordinator writes to `__consumer_offsets`, in Kafka's own key/value format, so a
// restarted coordinator rebuilds its state by replaying the topic and so the topic stays readable
// by Kafka tooling.
//
// Format facts (apache/kafka group-coordinator `OffsetCommitKey.json`, `OffsetCommitValue.json`,
// `GroupMetadataKey.json`, `GroupMetadataValue.json`): a key is an int16 record type version
// followed by the key struct (0 or 1 = offset commit, 2 = group metadata); a value is an int16
// value version followed by the value struct; a null value is a tombstone (compaction then drops
// the key). Kafka writes OffsetCommitValue v3 (v1 when an expire timestamp is set) and
// GroupMetadataValue v3 — the newest non-flexible versions — and so do we. We read v0–v4 of both
// (v4 is the first "flexible" version: compact strings, compact arrays, tagged fields).

/// The key of an offset commit record: one group's offset for one partition.
public struct OffsetCommitKey: Hashable, Sendable {
    public var groupId: String
    public var topicPartition: TopicPartition
    public init(groupId: String, topicPartition: TopicPartition) {
        self.groupId = groupId
        self.topicPartition = topicPartition
    }
}

/// A committed offset.
public struct OffsetCommitValue: Hashable, Sendable {
    public var offset: Int64
    /// -1 when unknown.
    public var leaderEpoch: Int32
    public var metadata: String
    public var commitTimestampMilliseconds: Int64
    /// Only version 1 records carry it; nil otherwise.
    public var expireTimestampMilliseconds: Int64?

    public init(
        offset: Int64, leaderEpoch: Int32 = -1, metadata: String = "", commitTimestampMilliseconds: Int64,
        expireTimestampMilliseconds: Int64? = nil
    ) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
        self.commitTimestampMilliseconds = commitTimestampMilliseconds
        self.expireTimestampMilliseconds = expireTimestampMilliseconds
    }
}

/// A classic group's persisted state after a generation (or after it became empty).
public struct GroupMetadataValue: Hashable, Sendable {
    /// One member as persisted: its subscription is its metadata for the chosen protocol.
    public struct Member: Hashable, Sendable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var rebalanceTimeoutMilliseconds: Int32
        public var sessionTimeoutMilliseconds: Int32
        public var subscription: [UInt8]
        public var assignment: [UInt8]

        public init(
            memberId: String, groupInstanceId: String?, clientId: String, clientHost: String,
            rebalanceTimeoutMilliseconds: Int32, sessionTimeoutMilliseconds: Int32,
            subscription: [UInt8], assignment: [UInt8]
        ) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
            self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
            self.subscription = subscription
            self.assignment = assignment
        }
    }

    /// Empty for a group that never had a member (a "simple" group).
    public var protocolType: String
    public var generationId: Int32
    public var protocolName: String?
    public var leader: String?
    /// -1 when unknown (versions 0 and 1).
    public var currentStateTimestampMilliseconds: Int64
    public var members: [Member]

    public init(
        protocolType: String, generationId: Int32, protocolName: String?, leader: String?,
        currentStateTimestampMilliseconds: Int64, members: [Member]
    ) {
        self.protocolType = protocolType
        self.generationId = generationId
        self.protocolName = protocolName
        self.leader = leader
        self.currentStateTimestampMilliseconds = currentStateTimestampMilliseconds
        self.members = members
    }
}

/// A record for `__consumer_offsets`. A nil value is a tombstone.
public enum CoordinatorRecord: Hashable, Sendable {
    case offsetCommit(OffsetCommitKey, OffsetCommitValue?)
    case groupMetadata(groupId: String, GroupMetadataValue?)

    /// The group whose coordinator partition the record belongs to.
    public var groupId: String {
        switch self {
        case .offsetCommit(let key, _): return key.groupId
        case .groupMetadata(let groupId, _): return groupId
        }
    }
}

/// Why stored record bytes could not be read.
public enum CoordinatorRecordError: Error, Equatable, Sendable {
    /// The bytes end before the field `field` is complete.
    case truncated(field: String)
    /// A key version this coordinator does not handle (for example KIP-848 consumer group records).
    case unsupportedKeyVersion(Int16)
    case unsupportedValueVersion(record: String, version: Int16)
    /// A length prefix is negative where null is not allowed, or larger than the data.
    case invalidLength(field: String, length: Int64)
    case invalidUTF8(field: String)
}

extension CoordinatorRecord {
    static let offsetCommitKeyVersionWritten: Int16 = 1
    static let groupMetadataKeyVersion: Int16 = 2
    static let offsetCommitValueVersionWritten: Int16 = 3
    static let offsetCommitValueVersionWithExpiry: Int16 = 1
    static let groupMetadataValueVersionWritten: Int16 = 3
    static let valueVersionMax: Int16 = 4

    /// The record key bytes.
    public func encodeKey() -> [UInt8] {
        var writer = RecordWriter()
        switch self {
        case .offsetCommit(let key, _):
            writer.writeInt16(Self.offsetCommitKeyVersionWritten)
            writer.writeString(key.groupId)
            writer.writeString(key.topicPartition.topic)
            writer.writeInt32(key.topicPartition.partition)
        case .groupMetadata(let groupId, _):
            writer.writeInt16(Self.groupMetadataKeyVersion)
            writer.writeString(groupId)
        }
        return writer.bytes
    }

    /// The record value bytes, or nil for a tombstone.
    public func encodeValue() -> [UInt8]? {
        switch self {
        case .offsetCommit(_, nil), .groupMetadata(_, nil):
            return nil
        case .offsetCommit(_, let value?):
            return Self.encode(value)
        case .groupMetadata(_, let value?):
            return Self.encode(value)
        }
    }

    private static func encode(_ value: OffsetCommitValue) -> [UInt8] {
        var writer = RecordWriter()
        if let expire = value.expireTimestampMilliseconds {
            writer.writeInt16(offsetCommitValueVersionWithExpiry)
            writer.writeInt64(value.offset)
            writer.writeString(value.metadata)
            writer.writeInt64(value.commitTimestampMilliseconds)
            writer.writeInt64(expire)
        } else {
            writer.writeInt16(offsetCommitValueVersionWritten)
            writer.writeInt64(value.offset)
            writer.writeInt32(value.leaderEpoch)
            writer.writeString(value.metadata)
            writer.writeInt64(value.commitTimestampMilliseconds)
        }
        return writer.bytes
    }

    private static func encode(_ value: GroupMetadataValue) -> [UInt8] {
        var writer = RecordWriter()
        writer.writeInt16(groupMetadataValueVersionWritten)
        writer.writeString(value.protocolType)
        writer.writeInt32(value.generationId)
        writer.writeNullableString(value.protocolName)
        writer.writeNullableString(value.leader)
        writer.writeInt64(value.currentStateTimestampMilliseconds)
        writer.writeInt32(Int32(value.members.count))
        for member in value.members {
            writer.writeString(member.memberId)
            writer.writeNullableString(member.groupInstanceId)
            writer.writeString(member.clientId)
            writer.writeString(member.clientHost)
            writer.writeInt32(member.rebalanceTimeoutMilliseconds)
            writer.writeInt32(member.sessionTimeoutMilliseconds)
            writer.writeBytes(member.subscription)
            writer.writeBytes(member.assignment)
        }
        return writer.bytes
    }

    /// Reads a record from its key and value bytes (nil value = tombstone).
    public static func decode(key: [UInt8], value: [UInt8]?) throws(CoordinatorRecordError) -> CoordinatorRecord {
        var keyReader = RecordReader(key, flexible: false)
        let keyVersion = try keyReader.readInt16("key version")
        switch keyVersion {
        case 0, 1:
            let groupId = try keyReader.readString("group")
            let topic = try keyReader.readString("topic")
            let partition = try keyReader.readInt32("partition")
            let recordKey = OffsetCommitKey(groupId: groupId, topicPartition: TopicPartition(topic: topic, partition: partition))
            return .offsetCommit(recordKey, try value.map(decodeOffsetCommitValue))
        case 2:
            let groupId = try keyReader.readString("group")
            return .groupMetadata(groupId: groupId, try value.map(decodeGroupMetadataValue))
        default:
            throw .unsupportedKeyVersion(keyVersion)
        }
    }

    private static func decodeOffsetCommitValue(_ bytes: [UInt8]) throws(CoordinatorRecordError) -> OffsetCommitValue {
        var reader = RecordReader(bytes, flexible: false)
        let version = try reader.readInt16("value version")
        guard version >= 0, version <= valueVersionMax else {
            throw .unsupportedValueVersion(record: "OffsetCommitValue", version: version)
        }
        reader.flexible = version >= 4
        let offset = try reader.readInt64("offset")
        let leaderEpoch = version >= 3 ? try reader.readInt32("leaderEpoch") : -1
        let metadata = try reader.readString("metadata")
        let commitTimestamp = try reader.readInt64("commitTimestamp")
        let expireTimestamp = version == 1 ? try reader.readInt64("expireTimestamp") : nil
        if reader.flexible { try reader.skipTaggedFields() }
        return OffsetCommitValue(
            offset: offset, leaderEpoch: leaderEpoch, metadata: metadata,
            commitTimestampMilliseconds: commitTimestamp, expireTimestampMilliseconds: expireTimestamp)
    }

    private static func decodeGroupMetadataValue(_ bytes: [UInt8]) throws(CoordinatorRecordError) -> GroupMetadataValue {
        var reader = RecordReader(bytes, flexible: false)
        let version = try reader.readInt16("value version")
        guard version >= 0, version <= valueVersionMax else {
            throw .unsupportedValueVersion(record: "GroupMetadataValue", version: version)
        }
        reader.flexible = version >= 4
        let protocolType = try reader.readString("protocolType")
        let generation = try reader.readInt32("generation")
        let protocolName = try reader.readNullableString("protocol")
        let leader = try reader.readNullableString("leader")
        let stateTimestamp = version >= 2 ? try reader.readInt64("currentStateTimestamp") : -1
        let memberCount = try reader.readArrayCount("members")
        var members: [GroupMetadataValue.Member] = []
        for _ in 0..<memberCount {
            let memberId = try reader.readString("memberId")
            let instanceId = version >= 3 ? try reader.readNullableString("groupInstanceId") : nil
            let clientId = try reader.readString("clientId")
            let clientHost = try reader.readString("clientHost")
            let sessionOrRebalance = version >= 1 ? try reader.readInt32("rebalanceTimeout") : nil
            let session = try reader.readInt32("sessionTimeout")
            let subscription = try reader.readBytes("subscription")
            let assignment = try reader.readBytes("assignment")
            if reader.flexible { try reader.skipTaggedFields() }
            members.append(
                GroupMetadataValue.Member(
                    memberId: memberId, groupInstanceId: instanceId, clientId: clientId, clientHost: clientHost,
                    // Version 0 has no rebalance timeout; Kafka then uses the session timeout.
                    rebalanceTimeoutMilliseconds: sessionOrRebalance ?? session, sessionTimeoutMilliseconds: session,
                    subscription: subscription, assignment: assignment))
        }
        if reader.flexible { try reader.skipTaggedFields() }
        return GroupMetadataValue(
            protocolType: protocolType, generationId: generation, protocolName: protocolName, leader: leader,
            currentStateTimestampMilliseconds: stateTimestamp, members: members)
    }
}
