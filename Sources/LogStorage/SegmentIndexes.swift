// The sparse offset index and the time index of one segment, in Kafka's file formats:
// `.index` holds big-endian (relative offset int32, position int32) pairs, one per
// `index.interval.bytes` of batches; `.timeindex` holds big-endian (timestamp int64, relative
// offset int32) pairs whose timestamps only grow.
//
// The entries live in memory (binary search on every read) and reach the files only when a
// segment rolls or the log closes. That keeps appends at one write: the files matter only after
// a restart, and after a crash recovery rebuilds the active segment's indexes from the log
// anyway, while rolled segments had theirs written and fsynced at the roll.
import NIOCore

struct OffsetIndexEntry: Equatable, Sendable {
    /// Batch base offset minus the segment's base offset.
    var relativeOffset: Int32
    /// Byte position of that batch in the segment's `.log`.
    var position: Int32
    static let sizeBytes = 8
}

struct TimeIndexEntry: Equatable, Sendable {
    /// Largest timestamp of all batches up to and including the batch at `relativeOffset`.
    var timestamp: Int64
    /// Relative base offset of the first batch that carried `timestamp`.
    var relativeOffset: Int32
    static let sizeBytes = 12
}

struct SegmentIndexes: Sendable {
    /// A batch timestamp Kafka uses for "none" (`RecordBatch.NO_TIMESTAMP`).
    static let noTimestamp: Int64 = -1

    private(set) var offsetEntries: [OffsetIndexEntry] = []
    private(set) var timeEntries: [TimeIndexEntry] = []
    /// How many entries of each array are already in the files.
    private(set) var persistedOffsetEntries = 0
    private(set) var persistedTimeEntries = 0
    /// Batch bytes appended since the last offset index entry (or since the segment start).
    private(set) var bytesSinceLastEntry = 0
    /// Largest batch max timestamp in the segment and the base offset of the first batch with it.
    private(set) var maxTimestamp: Int64 = noTimestamp
    private(set) var offsetOfMaxTimestamp: Int64 = -1

    init() {}

    /// Accounts for one batch written at `position`. Called for every batch in log order, by
    /// appends, by recovery and by index rebuilds alike, so all three produce the same entries.
    mutating func noteBatch(
        relativeOffset: Int32, baseOffset: Int64, position: Int, sizeBytes: Int, maxTimestamp batchMaxTimestamp: Int64,
        intervalBytes: Int
    ) {
        if batchMaxTimestamp > maxTimestamp {
            maxTimestamp = batchMaxTimestamp
            offsetOfMaxTimestamp = baseOffset
        }
        // The batch at position 0 needs no entry: a lookup that finds none starts at 0.
        if bytesSinceLastEntry >= intervalBytes && position > 0 {
            offsetEntries.append(OffsetIndexEntry(relativeOffset: relativeOffset, position: Int32(position)))
            appendTimeEntryIfGrown(segmentBaseOffset: baseOffset - Int64(relativeOffset))
            bytesSinceLastEntry = 0
        }
        bytesSinceLastEntry += sizeBytes
    }

    /// Adds a time entry for the largest timestamp so far when it is newer than the last entry.
    /// Also called when a segment stops being active, so its last entry carries its largest
    /// timestamp (retention and lookups by time use it after a restart).
    mutating func appendTimeEntryIfGrown(segmentBaseOffset: Int64) {
        guard maxTimestamp > (timeEntries.last?.timestamp ?? Self.noTimestamp), offsetOfMaxTimestamp >= 0 else { return }
        timeEntries.append(
            TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: Int32(offsetOfMaxTimestamp - segmentBaseOffset)))
    }

    /// Position of the last indexed batch at or before `relativeOffset` (0 when none is).
    func position(forRelativeOffset relativeOffset: Int32) -> Int {
        var low = 0
        var high = offsetEntries.count  // answer: last index with entry.relativeOffset <= target
        while low < high {
            let middle = (low + high) / 2
            if offsetEntries[middle].relativeOffset <= relativeOffset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : Int(offsetEntries[low - 1].position)
    }

    /// The relative offset to start scanning from for the first batch with max timestamp >=
    /// `timestamp`: the last time entry whose timestamp is smaller (every batch before it is
    /// smaller too), or 0.
    func startRelativeOffset(forTimestamp timestamp: Int64) -> Int32 {
        var low = 0
        var high = timeEntries.count
        while low < high {
            let middle = (low + high) / 2
            if timeEntries[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : timeEntries[low - 1].relativeOffset
    }

    // MARK: Files

    /// Bytes of the entries not yet in the files, and the file positions they go to.
    func pendingBytes() -> (offsetIndex: [UInt8], offsetPosition: Int, timeIndex: [UInt8], timePosition: Int) {
        var offsetBytes: [UInt8] = []
        offsetBytes.reserveCapacity((offsetEntries.count - persistedOffsetEntries) * OffsetIndexEntry.sizeBytes)
        for entry in offsetEntries[persistedOffsetEntries...] {
            Self.appendBigEndian(entry.relativeOffset, to: &offsetBytes)
            Self.appendBigEndian(entry.position, to: &offsetBytes)
        }
        var timeBytes: [UInt8] = []
        for entry in timeEntries[persistedTimeEntries...] {
            Self.appendBigEndian(entry.timestamp, to: &timeBytes)
            Self.appendBigEndian(entry.relativeOffset, to: &timeBytes)
        }
        return (
            offsetBytes, persistedOffsetEntries * OffsetIndexEntry.sizeBytes,
            timeBytes, persistedTimeEntries * TimeIndexEntry.sizeBytes
        )
    }

    mutating func markPersisted() {
        persistedOffsetEntries = offsetEntries.count
        persistedTimeEntries = timeEntries.count
    }

    /// Marks nothing as persisted, so the next persist rewrites both files whole.
    mutating func markUnpersisted() {
        persistedOffsetEntries = 0
        persistedTimeEntries = 0
    }

    /// Indexes read back from files, checked against the segment they describe. Returns nil
    /// when either file is damaged: sizes not a whole number of entries, offsets or positions
    /// not increasing, positions past the end of the log, or timestamps going backwards.
    /// The tail state (bytes since the last entry, max timestamp) is completed by a scan of the
    /// batches after the last entry; see `LogSegment`.
    static func load(offsetIndex: ByteBuffer, timeIndex: ByteBuffer, logSizeBytes: Int) -> SegmentIndexes? {
        guard offsetIndex.readableBytes % OffsetIndexEntry.sizeBytes == 0,
            timeIndex.readableBytes % TimeIndexEntry.sizeBytes == 0
        else { return nil }
        var indexes = SegmentIndexes()
        var reader = offsetIndex
        var previous = OffsetIndexEntry(relativeOffset: 0, position: 0)
        while let relativeOffset = reader.readInteger(as: Int32.self), let position = reader.readInteger(as: Int32.self) {
            guard relativeOffset > previous.relativeOffset, position > previous.position, Int(position) < logSizeBytes
            else { return nil }
            previous = OffsetIndexEntry(relativeOffset: relativeOffset, position: position)
            indexes.offsetEntries.append(previous)
        }
        reader = timeIndex
        var previousTimestamp = noTimestamp
        var previousRelativeOffset: Int32 = 0
        while let timestamp = reader.readInteger(as: Int64.self), let relativeOffset = reader.readInteger(as: Int32.self) {
            guard timestamp > previousTimestamp, relativeOffset >= previousRelativeOffset else { return nil }
            previousTimestamp = timestamp
            previousRelativeOffset = relativeOffset
            indexes.timeEntries.append(TimeIndexEntry(timestamp: timestamp, relativeOffset: relativeOffset))
        }
        // Time entries must not point past the indexed part of the log by more than the tail
        // scan can confirm; `LogSegment` checks them against the segment's last offset.
        if let last = indexes.timeEntries.last {
            indexes.maxTimestamp = last.timestamp
            indexes.offsetOfMaxTimestamp = -1  // set by the caller from the segment base offset
        }
        indexes.markPersisted()
        return indexes
    }

    /// Completes loaded indexes: where the max timestamp came from and the batches after the
    /// last offset entry.
    mutating func finishLoad(segmentBaseOffset: Int64) {
        if let last = timeEntries.last {
            offsetOfMaxTimestamp = segmentBaseOffset + Int64(last.relativeOffset)
        }
    }

    /// Accounts for a batch found by the tail scan after loading: it updates the max timestamp
    /// and the byte count since the last entry but adds no entries (the files already hold all
    /// entries up to the last one, and later batches did not reach the interval, or the log
    /// closed before an entry could be written; either way lookups stay correct).
    mutating func noteTailBatch(baseOffset: Int64, sizeBytes: Int, maxTimestamp batchMaxTimestamp: Int64) {
        if batchMaxTimestamp > maxTimestamp {
            maxTimestamp = batchMaxTimestamp
            offsetOfMaxTimestamp = baseOffset
        }
        bytesSinceLastEntry += sizeBytes
    }

    var lastOffsetEntryPosition: Int { Int(offsetEntries.last?.position ?? 0) }
    var lastTimeEntryRelativeOffset: Int32 { timeEntries.last?.relativeOffset ?? 0 }

    private static func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
