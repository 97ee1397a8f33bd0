// Per-partition log settings, named after and defaulting to Kafka's topic configs
// (storage/.../LogConfig.java). The broker builds one from topic configs and may swap it at any
// time with `PartitionLog.updateConfig`; every setting is read afresh on the next append,
// flush check or retention pass.
import KafkaProtocol

/// What happens to old data: Kafka's `cleanup.policy`.
public enum CleanupPolicy: String, Sendable, CaseIterable {
    /// Delete whole old segments by time (`retention.ms`) and size (`retention.bytes`).
    case delete
    /// Keep at least the last value per key (compaction). Time and size retention do not apply.
    case compact
    /// Both: compact, and also delete old segments by time and size (`compact,delete`).
    case compactDelete = "compact,delete"

    /// Whether time and size retention delete segments under this policy.
    public var deletesBySizeAndTime: Bool { self != .compact }
    /// Whether the log cleaner compacts logs under this policy.
    public var compacts: Bool { self != .delete }
}

/// Which timestamp a batch keeps: Kafka's `message.timestamp.type`.
public enum TimestampType: String, Sendable, CaseIterable {
    /// Keep the producer's timestamps.
    case createTime = "CreateTime"
    /// The log stamps its own clock as each batch's max timestamp (and re-computes the CRC).
    case logAppendTime = "LogAppendTime"
}

public struct LogConfig: Sendable, Equatable {
    /// Largest segment file before a new one is rolled (`segment.bytes`). Index positions are
    /// 32-bit, so a segment never grows past `Int32.max` bytes whatever this says.
    public var segmentBytes: Int
    /// Age of a segment after which the next append or retention pass rolls a new one (`segment.ms`).
    public var segmentMilliseconds: Int64
    /// Age (by largest timestamp) after which a closed segment is deleted (`retention.ms`); -1 = forever.
    public var retentionMilliseconds: Int64
    /// Size above which the oldest closed segments are deleted (`retention.bytes`); -1 = no limit.
    public var retentionBytes: Int64
    /// Bytes of batches between two entries of the sparse offset index (`index.interval.bytes`).
    public var indexIntervalBytes: Int
    /// Unflushed offsets after which an append fsyncs (`flush.messages`; 1 = every append).
    public var flushMessages: Int64
    /// Time since the last fsync after which an append or retention pass fsyncs (`flush.ms`).
    public var flushMilliseconds: Int64
    /// `cleanup.policy`.
    public var cleanupPolicy: CleanupPolicy
    /// Largest batch the log accepts (`max.message.bytes`), counted as the whole batch with its
    /// 12-byte offset and length prefix, as Kafka does.
    public var maxMessageBytes: Int
    /// `message.timestamp.type`.
    public var timestampType: TimestampType
    /// How long compaction keeps a tombstone (a keyed record with a null value) after the pass
    /// that first cleaned it, so consumers that read slower than this still see the delete
    /// (`delete.retention.ms`).
    public var deleteRetentionMilliseconds: Int64
    /// Records younger than this are not compacted: a segment whose largest timestamp is more
    /// recent stays as written, and so do all later ones (`min.compaction.lag.ms`).
    public var minCompactionLagMilliseconds: Int64
    /// Compaction runs when the part of the log written since the last pass is more than this
    /// share of the cleanable log's bytes (`min.cleanable.dirty.ratio`, 0 to 1).
    public var minCleanableDirtyRatio: Double

    public init(
        segmentBytes: Int = 1 << 30,
        segmentMilliseconds: Int64 = 7 * 24 * 3600 * 1000,
        retentionMilliseconds: Int64 = 7 * 24 * 3600 * 1000,
        retentionBytes: Int64 = -1,
        indexIntervalBytes: Int = 4096,
        flushMessages: Int64 = Int64.max,
        flushMilliseconds: Int64 = Int64.max,
        cleanupPolicy: CleanupPolicy = .delete,
        maxMessageBytes: Int = 1_048_588,
        timestampType: TimestampType = .createTime,
        deleteRetentionMilliseconds: Int64 = 24 * 3600 * 1000,
        minCompactionLagMilliseconds: Int64 = 0,
        minCleanableDirtyRatio: Double = 0.5
    ) {
        self.segmentBytes = segmentBytes
        self.segmentMilliseconds = segmentMilliseconds
        self.retentionMilliseconds = retentionMilliseconds
        self.retentionBytes = retentionBytes
        self.indexIntervalBytes = indexIntervalBytes
        self.flushMessages = flushMessages
        self.flushMilliseconds = flushMilliseconds
        self.cleanupPolicy = cleanupPolicy
        self.maxMessageBytes = maxMessageBytes
        self.timestampType = timestampType
        self.deleteRetentionMilliseconds = deleteRetentionMilliseconds
        self.minCompactionLagMilliseconds = minCompactionLagMilliseconds
        self.minCleanableDirtyRatio = minCleanableDirtyRatio
    }

    /// The segment size limit actually applied: at least one batch header, at most what a
    /// 32-bit index position can address.
    var effectiveSegmentBytes: Int {
        min(max(segmentBytes, RecordBatchHeader.size), Int(Int32.max))
    }

    /// The index interval actually applied (at least 1 byte, so zero or a negative value means
    /// "index every batch" rather than misbehaving).
    var effectiveIndexIntervalBytes: Int { max(indexIntervalBytes, 1) }
}
