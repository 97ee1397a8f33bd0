// Periodic housekeeping of a partition log, driven by the broker's timer: roll the active
// segment when it is older than `segment.ms`, delete whole old segments by `retention.ms` and
// `retention.bytes` (never the active one), fsync when `flush.ms` has passed, and run a
// compaction pass when the policy compacts (PartitionLog+Compaction.swift). Deleting
// moves the log start offset to the oldest remaining segment and forgets producers whose
// batches are all gone.
extension PartitionLog {
    public func applyRetention(now: Int64) throws {
        try appendLock.withLock { () throws in
            let (config, active) = stateLock.withLock { () -> (LogConfig, LogSegment?) in
                latestMilliseconds = max(latestMilliseconds, now)
                return (self.config, isClosed ? nil : segments.last)
            }
            guard let active else { return }
            if !active.isEmpty,
                Self.elapsed(from: active.rollStartMilliseconds ?? now, to: now) >= config.segmentMilliseconds
            {
                _ = try roll(active, nextBaseOffset: active.nextOffset)
            }
            guard config.cleanupPolicy.deletesBySizeAndTime else { return }
            let (deleted, logStart) = stateLock.withLock { () -> ([LogSegment], Int64) in
                let count = Self.deletableSegmentCount(segments, config: config, now: now)
                let deleted = Array(segments.prefix(count))
                segments.removeFirst(count)
                if let first = segments.first { logStartOffsetValue = max(logStartOffsetValue, first.baseOffset) }
                return (deleted, logStartOffsetValue)
            }
            guard !deleted.isEmpty else { return }
            for segment in deleted { try segment.deleteFiles() }
            try FileSystem.syncDirectory(directory)
            producers.removeProducers(lastOffsetBelow: logStart)
        }
        let (due, logEnd) = stateLock.withLock {
            (
                logEndOffsetValue > flushedOffset
                    && Self.elapsed(from: lastFlushMilliseconds, to: now) >= config.flushMilliseconds,
                logEndOffsetValue
            )
        }
        if due { try flush(upTo: logEnd, now: now) }
        // Compaction reads and rewrites sealed segments without holding the append lock, so it
        // runs after it; appends go on meanwhile.
        if stateLock.withLock({ config.cleanupPolicy.compacts }) { try compact(now: now) }
    }

    /// How many of the oldest segments retention deletes: first those whose largest timestamp
    /// is older than `retention.ms`, then more while the log stays at or above
    /// `retention.bytes` without them (Kafka's rules). The active segment always stays.
    static func deletableSegmentCount(_ segments: [LogSegment], config: LogConfig, now: Int64) -> Int {
        let closed = segments.dropLast()
        var count = 0
        if config.retentionMilliseconds >= 0 {
            while count < closed.count,
                elapsed(from: closed[count].maxTimestamp, to: now) > config.retentionMilliseconds
            {
                count += 1
            }
        }
        if config.retentionBytes >= 0 {
            var excessBytes = segments[count...].reduce(Int64(0)) { $0 + Int64($1.sizeBytes) } - config.retentionBytes
            while count < closed.count, excessBytes - Int64(closed[count].sizeBytes) >= 0 {
                excessBytes -= Int64(closed[count].sizeBytes)
                count += 1
            }
        }
        return count
    }
}
