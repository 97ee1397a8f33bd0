// Committed offsets of every group served by one coordinator, and the records that persist them.
//
// `OffsetStore` checks what concerns offsets alone (metadata size); whether the committing member
// may commit at all depends on group membership and is checked by `GroupCoordinatorCore` before it
// calls `commit`. Writes and replay share one path (`apply`), so a store rebuilt by replaying the
// records it produced equals the original.

/// One committed offset as returned by OffsetFetch.
public struct FetchedOffset: Sendable, Equatable {
    public var topicPartition: TopicPartition
    /// -1 when the group has no committed offset for the partition.
    public var offset: Int64
    public var leaderEpoch: Int32
    public var metadata: String
    public var errorCode: GroupErrorCode
}

/// Committed offsets per group and partition.
public struct OffsetStore: Sendable, Equatable {
    private var offsetsByGroup: [String: [TopicPartition: OffsetCommitValue]] = [:]

    /// offset.metadata.max.bytes: a longer metadata string is refused with OFFSET_METADATA_TOO_LARGE.
    public var metadataBytesMax: Int

    public static let defaultMetadataBytesMax = 4096

    public init(metadataBytesMax: Int = OffsetStore.defaultMetadataBytesMax) {
        self.metadataBytesMax = metadataBytesMax
    }

    /// Groups that have at least one committed offset, sorted.
    public var groupIds: [String] { offsetsByGroup.keys.sorted() }

    public func hasOffsets(groupId: String) -> Bool { !(offsetsByGroup[groupId]?.isEmpty ?? true) }

    /// Stores offsets (membership already validated by the caller). Returns one result per entry and
    /// the records to persist for the accepted ones.
    public mutating func commit(
        groupId: String, offsets: [OffsetCommitEntry], nowMilliseconds: Int64
    ) -> (results: [PartitionResult], records: [CoordinatorRecord]) {
        var results: [PartitionResult] = []
        var records: [CoordinatorRecord] = []
        for entry in offsets {
            guard entry.metadata.utf8.count <= metadataBytesMax else {
                results.append(PartitionResult(topicPartition: entry.topicPartition, errorCode: .offsetMetadataTooLarge))
                continue
            }
            let key = OffsetCommitKey(groupId: groupId, topicPartition: entry.topicPartition)
            let value = OffsetCommitValue(
                offset: entry.offset, leaderEpoch: entry.leaderEpoch, metadata: entry.metadata,
                commitTimestampMilliseconds: nowMilliseconds)
            apply(key: key, value: value)
            records.append(.offsetCommit(key, value))
            results.append(PartitionResult(topicPartition: entry.topicPartition, errorCode: .none))
        }
        return (results, records)
    }

    /// Offsets of the given partitions (-1 where none is committed), or of every partition with a
    /// committed offset when `partitions` is nil, sorted by topic and partition.
    public func fetch(groupId: String, partitions: [TopicPartition]?) -> [FetchedOffset] {
        let committed = offsetsByGroup[groupId] ?? [:]
        let wanted = partitions ?? committed.keys.sorted()
        return wanted.map { topicPartition in
            guard let value = committed[topicPartition] else {
                return FetchedOffset(
                    topicPartition: topicPartition, offset: -1, leaderEpoch: -1, metadata: "", errorCode: .none)
            }
            return FetchedOffset(
                topicPartition: topicPartition, offset: value.offset, leaderEpoch: value.leaderEpoch,
                metadata: value.metadata, errorCode: .none)
        }
    }

    /// The stored value for one partition, with its commit timestamp.
    public func committedValue(groupId: String, topicPartition: TopicPartition) -> OffsetCommitValue? {
        offsetsByGroup[groupId]?[topicPartition]
    }

    /// Deletes the given partitions' offsets; returns tombstones for those that existed.
    public mutating func delete(groupId: String, partitions: [TopicPartition]) -> [CoordinatorRecord] {
        var records: [CoordinatorRecord] = []
        for topicPartition in partitions where offsetsByGroup[groupId]?[topicPartition] != nil {
            let key = OffsetCommitKey(groupId: groupId, topicPartition: topicPartition)
            apply(key: key, value: nil)
            records.append(.offsetCommit(key, nil))
        }
        return records
    }

    /// Deletes all of a group's offsets; returns their tombstones, sorted by partition.
    public mutating func deleteAll(groupId: String) -> [CoordinatorRecord] {
        delete(groupId: groupId, partitions: (offsetsByGroup[groupId] ?? [:]).keys.sorted())
    }

    /// Applies a replayed offset record (nil value = tombstone).
    public mutating func apply(key: OffsetCommitKey, value: OffsetCommitValue?) {
        if let value {
            offsetsByGroup[key.groupId, default: [:]][key.topicPartition] = value
        } else {
            offsetsByGroup[key.groupId]?[key.topicPartition] = nil
            if offsetsByGroup[key.groupId]?.isEmpty == true { offsetsByGroup[key.groupId] = nil }
        }
    }
}
