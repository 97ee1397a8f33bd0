// The durable log of one partition: the public face of LogStorage. It owns the partition's
// directory of segments, assigns offsets, writes batches exactly as producers sent them (only the
// base offset and partition leader epoch are stamped, neither covered by the CRC), keeps the
// idempotent-producer state, and decides when to fsync. Reading, lookups by time, retention and
// loading live in the `PartitionLog+*.swift` files.
import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct AppendResult: Sendable, Equatable {
    /// Offset of the first record appended (for a duplicate: of the original batch).
    public var baseOffset: Int64
    /// Offset of the last record appended (for a duplicate: of the original batch).
    public var lastOffset: Int64
    /// The time stamped into the batches under LogAppendTime, else -1.
    public var logAppendTime: Int64
    /// The batch repeated one of the producer's last five: nothing was written.
    public var isDuplicate: Bool

    public init(baseOffset: Int64, lastOffset: Int64, logAppendTime: Int64, isDuplicate: Bool) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.logAppendTime = logAppendTime
        self.isDuplicate = isDuplicate
    }
}

public struct LogReadResult: Sendable {
    /// Whole stored batches, byte for byte; empty when there is nothing at or after the offset
    /// below the high watermark.
    public var records: ByteBuffer
    public var highWatermark: Int64
    public var logStartOffset: Int64

    public init(records: ByteBuffer, highWatermark: Int64, logStartOffset: Int64) {
        self.records = records
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
    }
}

/// A partition's log on disk, in Kafka's layout: one directory holding segments named by their
/// base offset (`00000000000000000000.log`, `.index`, `.timeindex`).
/// Under `cleanup.policy` compact, offsets have gaps: compaction removes records but never
/// moves the ones it keeps.
///
/// Thread safety: appends, rolls, retention and close are serialized by one lock; reads, time
/// lookups and the offset getters take a second lock only for in-memory bookkeeping and do their
/// file reads outside it, so they run concurrently with appends. Compaction passes hold a third
/// lock (one pass at a time), read sealed segments without the append lock and take it only to
/// swap a cleaned segment in (PartitionLog+Compaction.swift).
///
/// Durability: `append` returns once its bytes are written to the operating system (one
/// `pwritev`), so an acknowledged batch survives a crash of the process. It survives a crash of
/// the machine only once fsynced, which happens
/// - when `flushMessages` offsets have been appended since the last fsync (`flushMessages = 1`:
///   `append` returns only after its batches are fsynced),
/// - when `flushMilliseconds` have passed since the last fsync, checked by `append` and
///   `applyRetention`,
/// - on `flush()`, on `close()`, and when a segment rolls (a full segment is fsynced before the
///   next one is created, so only the newest segment can ever have an unsynced tail).
/// Concurrent appends share fsyncs: an fsync covers everything written before it starts, and an
/// append whose bytes an earlier fsync already covered does not issue another.
/// With the defaults (Kafka's), the log never fsyncs on its own and relies on replication, as
/// Kafka does. After a machine crash, opening the log keeps the longest prefix of whole batches
/// whose length and CRC-32C check out and drops the rest; offsets continue from there.
public final class PartitionLog: @unchecked Sendable {
    /// Name of the file whose presence tells the next open that the log was closed cleanly.
    static let cleanShutdownFileName = ".brook-clean-shutdown"

    public let directory: String

    /// Serializes appends, rolls, retention and close. Held across the write system call.
    let appendLock = NIOLock()
    /// One fsync at a time; see the durability notes.
    let flushLock = NIOLock()
    /// Guards the fields below and every `LogSegment`'s mutable fields. Never held across a
    /// write to the `.log` (rolls and close do write small index files under it).
    let stateLock = NIOLock()

    var config: LogConfig
    /// Oldest first; never empty while open. The last one is the active segment.
    var segments: [LogSegment]
    var logStartOffsetValue: Int64
    var logEndOffsetValue: Int64
    var highWatermarkValue: Int64
    /// Every offset below this is fsynced.
    var flushedOffset: Int64
    var lastFlushMilliseconds: Int64
    /// The latest clock value a caller passed in, used by `flush()` which takes none.
    var latestMilliseconds: Int64
    var isClosed = false

    /// Guarded by `appendLock`: only appends, retention and loading touch it.
    var producers: ProducerStateManager

    /// One compaction pass at a time. Taken before `appendLock`, never while holding it.
    let cleanerLock = NIOLock()
    /// Guarded by `cleanerLock`: how far the log is compacted; read from its file on the
    /// first pass.
    var cleanerCheckpoint: CleanerCheckpoint?

    /// Opens the log in `directory`, creating it when absent and recovering it when it was not
    /// closed cleanly (see the durability notes).
    public init(directory: String, config: LogConfig, now: Int64) throws {
        let loaded = try Self.load(directory: directory, config: config)
        self.directory = directory
        self.config = config
        self.segments = loaded.segments
        self.producers = loaded.producers
        self.logStartOffsetValue = loaded.segments.first?.baseOffset ?? 0
        self.logEndOffsetValue = loaded.segments.last?.nextOffset ?? 0
        self.highWatermarkValue = logEndOffsetValue
        self.flushedOffset = logEndOffsetValue
        self.lastFlushMilliseconds = now
        self.latestMilliseconds = now
    }

    public var logStartOffset: Int64 { stateLock.withLock { logStartOffsetValue } }
    /// The offset the next appended record gets.
    public var logEndOffset: Int64 { stateLock.withLock { logEndOffsetValue } }
    /// Reads never return records at or past this offset. A single node moves it to the log end
    /// on every append.
    public var highWatermark: Int64 { stateLock.withLock { highWatermarkValue } }

    /// Applies to the next append, flush check and retention pass.
    public func updateConfig(_ config: LogConfig) {
        stateLock.withLock { self.config = config }
    }

    // MARK: Append

    /// Appends `batches`: one or more whole magic-2 batches exactly as the producer sent them
    /// (the broker has checked their CRCs). Assigns offsets from the log end, stamps each batch's
    /// base offset and partition leader epoch (and, under LogAppendTime, its max timestamp and
    /// CRC) on the way to disk, updates the indexes and the producer state. A batch that repeats
    /// one of its producer's last five is not written; the result carries the original offsets.
    public func append(_ batches: ByteBuffer, leaderEpoch: Int32, now: Int64) throws -> AppendResult {
        let (result, flushTarget) = try appendLock.withLock { () throws -> (AppendResult, Int64?) in
            try appendLocked(batches, leaderEpoch: leaderEpoch, now: now)
        }
        if let flushTarget { try flush(upTo: flushTarget, now: now) }
        return result
    }

    /// One batch of an append: where it is in the input and its header as it will be stored.
    struct PlannedBatch {
        var inputPosition: Int
        var header: RecordBatchHeader
    }

    private func appendLocked(_ input: ByteBuffer, leaderEpoch: Int32, now: Int64) throws -> (AppendResult, Int64?) {
        let (config, firstOffset, active) = try stateLock.withLock { () throws -> (LogConfig, Int64, LogSegment) in
            guard !isClosed, let active = segments.last else { throw LogStorageError.closed }
            latestMilliseconds = max(latestMilliseconds, now)
            return (self.config, logEndOffsetValue, active)
        }
        let stampsTime = config.timestampType == .logAppendTime
        // Positions inside a segment are 32-bit in the index.
        guard input.readableBytes <= Int(Int32.max) else {
            throw LogStorageError.invalidBatch("an append of \(input.readableBytes) bytes is larger than a segment can be")
        }
        var plans = try Self.parseBatches(input, maxMessageBytes: config.maxMessageBytes)
        var nextOffset = firstOffset
        var producerUpdates: [Int64: ProducerStateEntry] = [:]
        for index in plans.indices {
            plans[index].header.baseOffset = nextOffset
            plans[index].header.partitionLeaderEpoch = leaderEpoch
            if stampsTime {
                plans[index].header.attributes |= Self.logAppendTimeAttribute
                plans[index].header.maxTimestamp = now
            }
            let header = plans[index].header
            if ProducerStateManager.isIdempotent(header) {
                let current = producerUpdates[header.producerId] ?? producers.entry(for: header.producerId)
                switch try ProducerStateManager.check(header, against: current) {
                case let .duplicate(original):
                    let result = AppendResult(
                        baseOffset: original.firstOffset, lastOffset: original.lastOffset,
                        logAppendTime: stampsTime ? original.maxTimestamp : -1, isDuplicate: true)
                    return (result, nil)
                case .accept:
                    producerUpdates[header.producerId] = ProducerStateManager.applying(header, to: current)
                }
            }
            nextOffset = header.lastOffset + 1
        }
        let lastOffset = nextOffset - 1

        var segment = active
        if shouldRoll(segment, config: config, appendBytes: input.readableBytes, lastOffset: lastOffset, now: now) {
            segment = try roll(segment, nextBaseOffset: firstOffset)
        }
        guard lastOffset - segment.baseOffset <= Int64(Int32.max) else {
            throw LogStorageError.invalidBatch("one append spans more than \(Int32.max) offsets")
        }
        let position = segment.sizeBytes
        try Self.write(input, plans: plans, stampingTime: stampsTime, to: segment, at: position)

        let flushDue = stateLock.withLock { () -> Bool in
            var batchPosition = position
            for plan in plans {
                let header = plan.header
                segment.indexes.noteBatch(
                    relativeOffset: Int32(header.baseOffset - segment.baseOffset), baseOffset: header.baseOffset,
                    position: batchPosition, sizeBytes: header.totalSize, maxTimestamp: header.maxTimestamp,
                    intervalBytes: config.effectiveIndexIntervalBytes)
                batchPosition += header.totalSize
            }
            segment.sizeBytes = batchPosition
            segment.nextOffset = nextOffset
            if segment.rollStartMilliseconds == nil { segment.rollStartMilliseconds = now }
            logEndOffsetValue = nextOffset
            highWatermarkValue = nextOffset
            return nextOffset - flushedOffset >= config.flushMessages
                || Self.elapsed(from: lastFlushMilliseconds, to: now) >= config.flushMilliseconds
        }
        for (producerId, entry) in producerUpdates { producers.set(entry, for: producerId) }
        let result = AppendResult(
            baseOffset: firstOffset, lastOffset: lastOffset, logAppendTime: stampsTime ? now : -1, isDuplicate: false)
        return (result, flushDue ? nextOffset : nil)
    }

    /// Timestamp-type bit of the batch attributes (1 = LogAppendTime).
    static let logAppendTimeAttribute: Int16 = 0x08

    /// Splits the input into batches, checking only what the log relies on: whole magic-2
    /// batches back to back, each within `maxMessageBytes`, offsets not going backwards.
    static func parseBatches(_ input: ByteBuffer, maxMessageBytes: Int) throws -> [PlannedBatch] {
        var plans: [PlannedBatch] = []
        var position = 0
        while position < input.readableBytes {
            let header: RecordBatchHeader
            do {
                header = try RecordBatchHeader.peek(in: input, at: position)
            } catch {
                throw LogStorageError.invalidBatch("at byte \(position) of the append: \(error.description)")
            }
            guard header.totalSize <= input.readableBytes - position else {
                throw LogStorageError.invalidBatch(
                    "batch at byte \(position) declares \(header.totalSize) bytes, \(input.readableBytes - position) given")
            }
            guard header.totalSize <= maxMessageBytes else {
                throw LogStorageError.messageTooLarge(sizeBytes: header.totalSize, maxMessageBytes: maxMessageBytes)
            }
            guard header.lastOffsetDelta >= 0 else {
                throw LogStorageError.invalidBatch("negative last offset delta \(header.lastOffsetDelta)")
            }
            plans.append(PlannedBatch(inputPosition: position, header: header))
            position += header.totalSize
        }
        guard !plans.isEmpty else { throw LogStorageError.invalidBatch("the append holds no batch") }
        return plans
    }

    /// Writes the batches with one `pwritev`: each batch is its stamped header (a 61-byte copy)
    /// followed by its body straight from the input buffer, so the payload is never copied in
    /// user space. A failed write is cut back off the file so the segment stays whole batches.
    static func write(
        _ input: ByteBuffer, plans: [PlannedBatch], stampingTime: Bool, to segment: LogSegment, at position: Int
    ) throws {
        let headerSize = RecordBatchHeader.size
        var headers = [UInt8](repeating: 0, count: plans.count * headerSize)
        try input.withUnsafeReadableBytes { body in
            try headers.withUnsafeMutableBytes { headerBytes in
                guard let bodyBase = body.baseAddress, let headerBase = headerBytes.baseAddress else { return }
                var vectors: [iovec] = []
                vectors.reserveCapacity(plans.count * 2)
                for (index, plan) in plans.enumerated() {
                    let header = headerBase + index * headerSize
                    let batch = bodyBase + plan.inputPosition
                    header.copyMemory(from: batch, byteCount: headerSize)
                    header.storeBytes(
                        of: plan.header.baseOffset.bigEndian, toByteOffset: RecordBatchHeader.Offset.baseOffset, as: Int64.self)
                    header.storeBytes(
                        of: plan.header.partitionLeaderEpoch.bigEndian,
                        toByteOffset: RecordBatchHeader.Offset.partitionLeaderEpoch, as: Int32.self)
                    let bodyBytes = plan.header.totalSize - headerSize
                    if stampingTime {
                        header.storeBytes(
                            of: plan.header.attributes.bigEndian, toByteOffset: RecordBatchHeader.Offset.attributes,
                            as: Int16.self)
                        header.storeBytes(
                            of: plan.header.maxTimestamp.bigEndian, toByteOffset: RecordBatchHeader.Offset.maxTimestamp,
                            as: Int64.self)
                        let attributesOffset = RecordBatchHeader.Offset.attributes
                        var crc = CRC32C.checksum(
                            UnsafeRawBufferPointer(start: header + attributesOffset, count: headerSize - attributesOffset))
                        crc = CRC32C.checksum(
                            UnsafeRawBufferPointer(start: batch + headerSize, count: bodyBytes), continuing: crc)
                        header.storeBytes(of: crc.bigEndian, toByteOffset: RecordBatchHeader.Offset.crc, as: UInt32.self)
                    }
                    vectors.append(iovec(iov_base: header, iov_len: headerSize))
                    if bodyBytes > 0 {
                        vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: batch + headerSize), iov_len: bodyBytes))
                    }
                }
                do {
                    try segment.log.write(vectors: &vectors, at: position)
                } catch {
                    try? segment.log.truncate(to: position)
                    throw error
                }
            }
        }
    }

    // MARK: Rolling

    private func shouldRoll(_ segment: LogSegment, config: LogConfig, appendBytes: Int, lastOffset: Int64, now: Int64) -> Bool {
        // Only the appender changes these fields and it holds the append lock, so reading them
        // here without the state lock is safe.
        guard !segment.isEmpty else { return false }
        return segment.sizeBytes > config.effectiveSegmentBytes - appendBytes
            || Self.elapsed(from: segment.rollStartMilliseconds ?? now, to: now) >= config.segmentMilliseconds
            || lastOffset - segment.baseOffset > Int64(Int32.max)
    }

    /// Seals `previous` (final index entries, fsync) and starts a new active segment. Must hold
    /// the append lock. The fsync comes before the new file exists: that ordering is what lets
    /// recovery check only the last segment.
    func roll(_ previous: LogSegment, nextBaseOffset: Int64) throws -> LogSegment {
        try stateLock.withLock { () throws in try previous.persistIndexes(final: true) }
        try previous.log.sync()
        // The producer state now covers exactly the batches below the new segment.
        try ProducerStateSnapshot.write(producers, offset: nextBaseOffset, directory: directory)
        let segment = try LogSegment.create(directory: directory, baseOffset: nextBaseOffset)
        try FileSystem.syncDirectory(directory)
        stateLock.withLock {
            segments.append(segment)
            flushedOffset = max(flushedOffset, nextBaseOffset)
        }
        return segment
    }

    // MARK: Flush and close

    /// Fsyncs everything appended so far.
    public func flush() throws {
        let target = stateLock.withLock { logEndOffsetValue }
        try flush(upTo: target, now: nil)
    }

    /// Fsyncs the active segment unless an fsync already covered `target`.
    func flush(upTo target: Int64, now: Int64?) throws {
        try flushLock.withLock { () throws in
            let (active, logEnd, flushed) = stateLock.withLock { (segments.last, logEndOffsetValue, flushedOffset) }
            guard let active, flushed < target else { return }
            // Everything below `logEnd` is in `active` or in older segments, which were fsynced
            // when they rolled.
            try active.log.sync()
            stateLock.withLock {
                flushedOffset = max(flushedOffset, logEnd)
                lastFlushMilliseconds = now ?? latestMilliseconds
            }
        }
    }

    /// Writes the indexes, fsyncs, and leaves the clean-shutdown marker so the next open skips
    /// recovery. Later calls on the log throw `closed`. Errors are swallowed: without the marker
    /// the next open simply recovers.
    public func close() {
        close(writingMarker: true)
    }

    func close(writingMarker: Bool) {
        appendLock.withLock {
            flushLock.withLock {
                let (active, logEnd, wasClosed) = stateLock.withLock { (segments.last, logEndOffsetValue, isClosed) }
                guard !wasClosed else { return }
                if writingMarker, let active {
                    do {
                        try stateLock.withLock { () throws in try active.persistIndexes(final: true) }
                        try active.log.sync()
                        try ProducerStateSnapshot.write(producers, offset: logEnd, directory: directory)
                        let marker = CleanShutdownMarker(logEndOffset: logEnd, activeSegmentBytes: active.sizeBytes)
                        try FileSystem.writeFileAtomically(
                            directory + "/" + Self.cleanShutdownFileName, directory: directory, bytes: marker.encoded())
                    } catch {
                        // The next open will not find the marker and will recover instead.
                    }
                }
                // Dropping the segments closes their files once no reader holds them.
                stateLock.withLock {
                    isClosed = true
                    segments = []
                }
            }
        }
    }

    /// Closes the log and removes its directory.
    public func deleteFromDisk() throws {
        close(writingMarker: false)
        // A compaction pass notices the close and stops; wait for it so it leaves no files.
        cleanerLock.withLock {}
        for name in try FileSystem.listDirectory(directory) {
            try FileSystem.remove(directory + "/" + name)
        }
        try FileSystem.removeDirectory(directory)
    }

    /// `to - from` in milliseconds, saturating instead of overflowing on odd timestamps.
    static func elapsed(from start: Int64, to end: Int64) -> Int64 {
        let (difference, overflow) = end.subtractingReportingOverflow(start)
        if overflow { return start < 0 ? Int64.max : Int64.min }
        return difference
    }
}
