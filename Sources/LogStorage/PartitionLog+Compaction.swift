// Log compaction of a partition (`cleanup.policy` compact or compact,delete), pass by pass as
// Kafka's log cleaner runs it:
//   1. Plan: the cleanable part of the log runs from the log start up to (not including) the
//      first segment that is active, reaches the high watermark, or, in the dirty part, holds
//      a record younger than `min.compaction.lag.ms`. The part below the checkpointed first
//      dirty offset was cleaned by an earlier pass; the rest is dirty. A pass runs when the
//      dirty bytes are more than `min.cleanable.dirty.ratio` of the cleanable bytes, or when a
//      tombstone's delete horizon has passed.
//   2. Map: read the dirty segments and note, for every key, the offset of its latest record.
//   3. Clean: rewrite the cleanable segments in groups that fit one segment (consecutive, at
//      most `segment.bytes` together), keeping what `BatchCleaner` keeps, into `.cleaned`
//      files, and swap each group in (`SegmentSwap`).
//   4. Checkpoint the new first dirty offset and the earliest pending delete horizon.
//
// Offsets never change: batches keep their base offset, last offset delta, producer id, epoch
// and sequence, so consumers see gaps and the producer state stays valid. The active segment
// is never touched.
//
// Locking: a pass holds `cleanerLock` throughout. It reads sealed segments (immutable) without
// the append lock, so appends and reads go on during the long part; it takes the append lock
// only to swap a group in, after checking that the group's segments are still the log's (time
// and size retention under compact,delete may have deleted them meanwhile). Readers that
// picked an old segment before the swap keep reading it through its open descriptor.
import KafkaProtocol
import NIOCore

/// What a compaction pass did.
public struct CompactionSummary: Sendable, Equatable {
    /// Sealed segments read and replaced.
    public var segmentsCleaned: Int
    /// Segments written in their place (groups of small segments merge into one).
    public var segmentsWritten: Int
    public var bytesBefore: Int
    public var bytesAfter: Int
    public var recordsRemoved: Int
    /// The log below this offset is now clean; the next pass's dirty part starts here.
    public var cleanedUpToOffset: Int64

    public init(
        segmentsCleaned: Int = 0, segmentsWritten: Int = 0, bytesBefore: Int = 0, bytesAfter: Int = 0,
        recordsRemoved: Int = 0, cleanedUpToOffset: Int64 = 0
    ) {
        self.segmentsCleaned = segmentsCleaned
        self.segmentsWritten = segmentsWritten
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
        self.recordsRemoved = recordsRemoved
        self.cleanedUpToOffset = cleanedUpToOffset
    }
}

extension PartitionLog {
    /// Bytes of cleaned batches gathered in memory before one write to the `.cleaned` file.
    static let cleanerWriteChunkBytes = 1 << 20

    /// Runs one compaction pass when the log's cleanup policy compacts and the pass is due
    /// (see the file comment); returns what it did, or nil when it did nothing. Called by
    /// `applyRetention`; callable directly. Safe to call from any thread, concurrently with
    /// appends and reads; passes on one log run one at a time.
    @discardableResult
    public func compact(now: Int64) throws -> CompactionSummary? {
        try compact(now: now, mapMemoryBytesMax: KeyOffsetMap.memoryBytesMaxDefault)
    }

    func compact(now: Int64, mapMemoryBytesMax: Int) throws -> CompactionSummary? {
        try cleanerLock.withLock { () throws -> CompactionSummary? in
            if cleanerCheckpoint == nil { cleanerCheckpoint = CleanerCheckpoint.load(directory: directory) }
            guard var plan = planCompaction(now: now) else { return nil }
            let producerLastOffsets = appendLock.withLock {
                Set(producers.entries.values.compactMap { $0.batches.last?.lastOffset })
            }
            var map = KeyOffsetMap(memoryBytesMax: mapMemoryBytesMax)
            var end = plan.segments.count
            for index in plan.firstDirtyIndex..<plan.segments.count {
                // The map must cover every dirty segment that is cleaned; stop before one that
                // may not fit, and let the next pass continue from there.
                if map.isFull && index > plan.firstDirtyIndex {
                    end = index
                    break
                }
                guard !isClosedNow else { return nil }
                try forEachBatch(in: plan.segments[index]) { batch, header in
                    BatchCleaner.noteKeys(of: batch, header: header, into: &map)
                }
            }
            plan.segments.removeSubrange(end...)
            let cleaner = BatchCleaner(map: map, now: now, deleteRetentionMilliseconds: plan.config.deleteRetentionMilliseconds)
            var summary = CompactionSummary(cleanedUpToOffset: plan.segments.last?.nextOffset ?? 0)
            var nextDeleteHorizon = Int64.max
            for group in Self.groups(plan.segments, segmentBytesMax: plan.config.effectiveSegmentBytes) {
                guard
                    let cleaned = try writeCleanedSegment(
                        group, cleaner: cleaner, producerLastOffsets: producerLastOffsets,
                        intervalBytes: plan.config.effectiveIndexIntervalBytes, summary: &summary,
                        nextDeleteHorizon: &nextDeleteHorizon)
                else { return nil }
                guard try swap(group, for: cleaned) else { continue }
                summary.segmentsCleaned += group.count
                summary.segmentsWritten += 1
                summary.bytesBefore += group.reduce(0) { $0 + $1.sizeBytes }
                summary.bytesAfter += cleaned.sizeBytes
            }
            let checkpoint = CleanerCheckpoint(
                firstDirtyOffset: summary.cleanedUpToOffset, nextDeleteHorizon: nextDeleteHorizon)
            try checkpoint.write(directory: directory)
            cleanerCheckpoint = checkpoint
            return summary
        }
    }

    /// The segments a pass would clean and where their dirty part starts.
    struct CompactionPlan {
        var config: LogConfig
        /// From the log start up to the first uncleanable segment.
        var segments: [LogSegment]
        /// Index in `segments` of the first segment with offsets at or after the first dirty offset.
        var firstDirtyIndex: Int
    }

    /// Under `cleanerLock`: the cleanable segments when a pass is due, else nil.
    func planCompaction(now: Int64) -> CompactionPlan? {
        let checkpoint = cleanerCheckpoint
        let planned = stateLock.withLock { () -> CompactionPlan? in
            guard !isClosed, config.cleanupPolicy.compacts else { return nil }
            var firstDirty = checkpoint?.firstDirtyOffset ?? logStartOffsetValue
            // A checkpoint from before retention or recovery moved the log: start over.
            if firstDirty < logStartOffsetValue || firstDirty > logEndOffsetValue { firstDirty = logStartOffsetValue }
            let lag = config.minCompactionLagMilliseconds
            var cleanable: [LogSegment] = []
            var firstDirtyIndex: Int?
            for segment in segments.dropLast() {
                guard segment.nextOffset <= highWatermarkValue else { break }
                if segment.nextOffset > firstDirty {
                    // As Kafka: only dirty segments are held back by the lag.
                    if lag > 0, segment.maxTimestamp > BatchCleaner.adding(-lag, to: now) { break }
                    if firstDirtyIndex == nil { firstDirtyIndex = cleanable.count }
                }
                cleanable.append(segment)
            }
            return CompactionPlan(config: config, segments: cleanable, firstDirtyIndex: firstDirtyIndex ?? cleanable.count)
        }
        guard let planned, !planned.segments.isEmpty else { return nil }
        let cleanBytes = planned.segments[..<planned.firstDirtyIndex].reduce(0) { $0 + $1.sizeBytes }
        let dirtyBytes = planned.segments[planned.firstDirtyIndex...].reduce(0) { $0 + $1.sizeBytes }
        let dirtyRatio = Double(dirtyBytes) / Double(max(cleanBytes + dirtyBytes, 1))
        let horizonPassed = (checkpoint?.nextDeleteHorizon ?? Int64.max) <= now
        guard (dirtyBytes > 0 && dirtyRatio > planned.config.minCleanableDirtyRatio) || horizonPassed else { return nil }
        return planned
    }

    /// Consecutive runs of segments that fit one segment together: at most `segmentBytesMax`
    /// bytes before cleaning and an offset range a 32-bit index can address.
    static func groups(_ segments: [LogSegment], segmentBytesMax: Int) -> [[LogSegment]] {
        var groups: [[LogSegment]] = []
        var groupBytes = 0
        for segment in segments {
            if let first = groups.last?.first, groupBytes + segment.sizeBytes <= segmentBytesMax,
                segment.nextOffset - 1 - first.baseOffset <= Int64(Int32.max)
            {
                groups[groups.count - 1].append(segment)
                groupBytes += segment.sizeBytes
            } else {
                groups.append([segment])
                groupBytes = segment.sizeBytes
            }
        }
        return groups
    }

    var isClosedNow: Bool { stateLock.withLock { isClosed } }

    /// Calls `body` with every stored batch of a sealed segment, in order.
    func forEachBatch(in segment: LogSegment, _ body: (ByteBuffer, RecordBatchHeader) throws -> Void) throws {
        let end = stateLock.withLock { segment.sizeBytes }
        var scanner = BatchScanner(file: segment.log, from: 0, to: end)
        while true {
            switch try scanner.next() {
            case .end:
                return
            case let .invalid(position, reason):
                throw LogStorageError.corrupt("\(segment.log.path) at byte \(position): \(reason)")
            case let .batch(position, header):
                try body(try scanner.batchBytes(at: position, sizeBytes: header.totalSize), header)
            }
        }
    }

    /// Writes the cleaned version of `group` as `.cleaned` files (fsynced) and returns it as a
    /// segment not yet in the log; nil when the log closed meanwhile.
    func writeCleanedSegment(
        _ group: [LogSegment], cleaner: BatchCleaner, producerLastOffsets: Set<Int64>, intervalBytes: Int,
        summary: inout CompactionSummary, nextDeleteHorizon: inout Int64
    ) throws -> LogSegment? {
        guard let first = group.first, let last = group.last else { return nil }
        let baseOffset = first.baseOffset
        let groupLastOffset = last.nextOffset - 1
        let file = try FileDescriptor(
            path: SegmentSwap.path(
                directory: directory, baseOffset: baseOffset, suffix: LogSegment.logSuffix + SegmentSwap.cleanedSuffix),
            create: true)
        var indexes = SegmentIndexes()
        var position = 0
        var nextOffset = baseOffset
        var pending = ByteBufferAllocator().buffer(capacity: Self.cleanerWriteChunkBytes)
        func writePending() throws {
            try pending.withUnsafeReadableBytes { try file.write($0, at: position - pending.readableBytes) }
            pending.clear()
        }
        do {
            try file.truncate(to: 0)
            for segment in group {
                guard !isClosedNow else {
                    SegmentSwap.discardCleaned(directory: directory, baseOffset: baseOffset)
                    return nil
                }
                try forEachBatch(in: segment) { batch, header in
                    let keepsHeader =
                        header.lastOffset == groupLastOffset
                        || (header.hasProducerId && producerLastOffsets.contains(header.lastOffset))
                    let cleaned = try cleaner.clean(batch, header: header, keepsHeader: keepsHeader)
                    summary.recordsRemoved += cleaned.recordsRemoved
                    if let horizon = cleaned.pendingDeleteHorizon { nextDeleteHorizon = min(nextDeleteHorizon, horizon) }
                    guard let bytes = cleaned.bytes else { return }
                    let written = try RecordBatchHeader.peek(in: bytes)
                    guard position + written.totalSize <= Int(Int32.max) else {
                        throw LogStorageError.invalidBatch("a cleaned segment would pass \(Int32.max) bytes")
                    }
                    indexes.noteBatch(
                        relativeOffset: Int32(written.baseOffset - baseOffset), baseOffset: written.baseOffset,
                        position: position, sizeBytes: written.totalSize, maxTimestamp: written.maxTimestamp,
                        intervalBytes: intervalBytes)
                    pending.writeImmutableBuffer(bytes)
                    position += written.totalSize
                    nextOffset = written.lastOffset + 1
                    if pending.readableBytes >= Self.cleanerWriteChunkBytes { try writePending() }
                }
            }
            try writePending()
            try file.sync()
            try SegmentSwap.writeCleanedIndexes(&indexes, directory: directory, baseOffset: baseOffset)
        } catch {
            SegmentSwap.discardCleaned(directory: directory, baseOffset: baseOffset)
            throw error
        }
        return LogSegment(
            baseOffset: baseOffset, directory: directory, log: file, sizeBytes: position, nextOffset: nextOffset,
            indexes: indexes)
    }

    /// Swaps `cleaned` in for `group` when the group is still part of the open log; returns
    /// whether it did.
    func swap(_ group: [LogSegment], for cleaned: LogSegment) throws -> Bool {
        try appendLock.withLock { () throws -> Bool in
            let start = stateLock.withLock { () -> Int? in
                guard !isClosed, let start = segments.firstIndex(where: { $0 === group.first }),
                    start + group.count < segments.count,
                    zip(segments[start...], group).allSatisfy({ $0 === $1 })
                else { return nil }
                return start
            }
            guard let start, cleaned.nextOffset == group.last?.nextOffset else {
                SegmentSwap.discardCleaned(directory: directory, baseOffset: cleaned.baseOffset)
                return false
            }
            try SegmentSwap.swapIn(directory: directory, baseOffset: cleaned.baseOffset, replacing: group)
            stateLock.withLock { segments.replaceSubrange(start..<(start + group.count), with: [cleaned]) }
            return true
        }
    }
}
