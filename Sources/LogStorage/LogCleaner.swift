// The record-level rules of log compaction, as Kafka's log cleaner applies them: the map from
// each key to the offset of its latest record, the decision for every stored batch (keep its
// bytes, rewrite it with fewer records, keep only its header, or drop it), and the small
// checkpoint file that remembers how far the log is clean. The passes over segments, the file
// swap and the locking live in `PartitionLog+Compaction.swift` and `SegmentSwap.swift`.
//
// A record survives unless a later record with the same key exists in the map, or it is a
// tombstone (a keyed record with a null value) whose batch's delete horizon has passed. The
// first pass that keeps a tombstone stamps its batch with a delete horizon of now +
// `delete.retention.ms` (attribute bit 6 with the horizon in the base-timestamp field, KIP-534),
// so the horizon survives restarts and later passes without any other bookkeeping. Records
// without a key cannot be compacted (Kafka's broker refuses them for compacted topics); they
// are kept. Transactional and control batches, and batches that cannot be decoded, are kept
// byte for byte and add nothing to the map: dropping data the cleaner does not understand
// would lose it.
import KafkaProtocol
import NIOCore

/// Keys seen in the dirty part of the log and the offset of the latest record for each.
struct KeyOffsetMap {
    /// What one entry costs beyond its key bytes (dictionary slot, buffer header); used only to
    /// bound memory.
    static let entryOverheadBytes = 64
    /// Default bound on the map's memory. A pass whose dirty part has more distinct keys than
    /// fit cleans only up to the segment where the map filled, and the next pass continues.
    static let memoryBytesMaxDefault = 64 << 20

    let memoryBytesMax: Int
    private(set) var latestOffsets: [ByteBuffer: Int64] = [:]
    private(set) var memoryBytes = 0

    init(memoryBytesMax: Int = memoryBytesMaxDefault) {
        self.memoryBytesMax = memoryBytesMax
    }

    var isFull: Bool { memoryBytes >= memoryBytesMax }
    var count: Int { latestOffsets.count }

    /// Records that `key` has a record at `offset` (offsets arrive in increasing order).
    mutating func note(key: ByteBuffer, offset: Int64) {
        if latestOffsets[key] != nil {
            latestOffsets[key] = offset
            return
        }
        // Copy the key so the map does not keep whole decompressed batch bodies alive.
        var copy = ByteBufferAllocator().buffer(capacity: key.readableBytes)
        copy.writeImmutableBuffer(key)
        latestOffsets[copy] = offset
        memoryBytes += key.readableBytes + Self.entryOverheadBytes
    }

    func latestOffset(of key: ByteBuffer) -> Int64? { latestOffsets[key] }
}

/// What one batch becomes in the cleaned segment.
struct CleanedBatch {
    /// The bytes to write, or nil when the batch goes entirely.
    var bytes: ByteBuffer?
    /// Records removed from the batch.
    var recordsRemoved: Int
    /// The delete horizon of tombstones the batch still holds, if any: the next pass after
    /// this time has work to do even when no new data arrives.
    var pendingDeleteHorizon: Int64?
}

/// Applies the map and the tombstone rule to one stored batch.
struct BatchCleaner {
    let map: KeyOffsetMap
    let now: Int64
    let deleteRetentionMilliseconds: Int64

    /// Whether the cleaner may filter the batch's records and use its keys: ordinary data
    /// batches only.
    static func isCleanable(_ header: RecordBatchHeader) -> Bool {
        !header.isControl && !header.isTransactional && header.recordCount > 0
    }

    static func deleteHorizon(of header: RecordBatchHeader) -> Int64? {
        header.attributes & RecordBatch.deleteHorizonAttribute != 0 ? header.baseTimestamp : nil
    }

    /// Decodes a cleanable batch, or nil when it cannot be (damaged or too large to
    /// decompress): such a batch is kept as it is.
    static func decode(_ batch: ByteBuffer, header: RecordBatchHeader) -> RecordBatch? {
        guard isCleanable(header) else { return nil }
        return try? RecordBatch.decodeBatch(batch)
    }

    /// Adds the keys of a stored batch to the map.
    static func noteKeys(of batch: ByteBuffer, header: RecordBatchHeader, into map: inout KeyOffsetMap) {
        guard let decoded = decode(batch, header: header) else { return }
        for record in decoded.records {
            if let key = record.key { map.note(key: key, offset: record.offset) }
        }
    }

    /// The batch as it goes into the cleaned segment. `keepsHeader` says the batch's header
    /// must survive even when no record does: it is the last batch of its producer (so the
    /// producer's sequence state can be rebuilt from the log, as Kafka keeps it) or the last
    /// batch of the segments being merged (so the cleaned segment ends at the same offset as
    /// the ones it replaces, which is what crash recovery relies on).
    func clean(_ batch: ByteBuffer, header: RecordBatchHeader, keepsHeader: Bool) throws -> CleanedBatch {
        // A header an earlier pass kept goes once it no longer has to stay.
        if header.recordCount == 0 && !header.isControl && !header.isTransactional {
            return CleanedBatch(bytes: keepsHeader ? batch : nil, recordsRemoved: 0, pendingDeleteHorizon: nil)
        }
        guard let decoded = Self.decode(batch, header: header) else {
            return CleanedBatch(bytes: batch, recordsRemoved: 0, pendingDeleteHorizon: nil)
        }
        let existingHorizon = Self.deleteHorizon(of: header)
        var kept: [Record] = []
        kept.reserveCapacity(decoded.records.count)
        var keepsTombstone = false
        for record in decoded.records {
            guard let key = record.key else {
                kept.append(record)
                continue
            }
            if let latest = map.latestOffset(of: key), record.offset < latest { continue }
            if record.value == nil {
                if let existingHorizon, now >= existingHorizon { continue }
                keepsTombstone = true
            }
            kept.append(record)
        }
        let removed = decoded.records.count - kept.count
        let horizon = keepsTombstone ? (existingHorizon ?? Self.adding(deleteRetentionMilliseconds, to: now)) : nil
        if removed == 0 && (existingHorizon != nil || !keepsTombstone) {
            return CleanedBatch(bytes: batch, recordsRemoved: 0, pendingDeleteHorizon: horizon)
        }
        if kept.isEmpty {
            return CleanedBatch(bytes: keepsHeader ? Self.emptyBatch(like: header) : nil, recordsRemoved: removed, pendingDeleteHorizon: nil)
        }
        var output = ByteBufferAllocator().buffer(capacity: batch.readableBytes)
        try RecordBatch.encode(
            records: kept, baseOffset: header.baseOffset, compression: header.compression ?? .none,
            producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence,
            timestampType: header.isLogAppendTime ? .logAppendTime : .createTime,
            partitionLeaderEpoch: header.partitionLeaderEpoch, offsetDeltas: .fromRecordOffsets,
            lastOffsetDelta: header.lastOffsetDelta, deleteHorizonMilliseconds: horizon, into: &output)
        return CleanedBatch(bytes: output, recordsRemoved: removed, pendingDeleteHorizon: horizon)
    }

    /// A batch with no records that keeps the original's offsets, producer fields and
    /// timestamp type: what Kafka writes for a batch whose records all went but whose header
    /// must stay (`DefaultRecordBatch.writeEmptyHeader`). Both timestamps are the original's
    /// max timestamp, so time-based retention sees the same age.
    static func emptyBatch(like original: RecordBatchHeader) -> ByteBuffer {
        // Uncompressed, no delete horizon; timestamp type and transactional bits stay.
        let attributes = original.attributes & ~(0x07 | RecordBatch.deleteHorizonAttribute)
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.size)
        buffer.writeInteger(original.baseOffset)
        buffer.writeInteger(Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead))
        buffer.writeInteger(original.partitionLeaderEpoch)
        buffer.writeInteger(Int8(2))
        buffer.writeInteger(UInt32(0))  // CRC, set below
        buffer.writeInteger(attributes)
        buffer.writeInteger(original.lastOffsetDelta)
        buffer.writeInteger(original.maxTimestamp)
        buffer.writeInteger(original.maxTimestamp)
        buffer.writeInteger(original.producerId)
        buffer.writeInteger(original.producerEpoch)
        buffer.writeInteger(original.baseSequence)
        buffer.writeInteger(Int32(0))
        let crc = CRC32C.checksum(
            buffer, at: RecordBatchHeader.Offset.attributes, length: RecordBatchHeader.size - RecordBatchHeader.Offset.attributes)
        buffer.setInteger(crc, at: RecordBatchHeader.Offset.crc)
        return buffer
    }

    /// `time + milliseconds`, saturating at the ends of Int64 instead of trapping.
    static func adding(_ milliseconds: Int64, to time: Int64) -> Int64 {
        let (sum, overflow) = time.addingReportingOverflow(milliseconds)
        if overflow { return milliseconds > 0 ? Int64.max : Int64.min }
        return sum
    }
}

/// How far the log is compacted, kept in `.brook-cleaner-checkpoint` in the partition
/// directory (Kafka keeps the same offset in `cleaner-offset-checkpoint`). Losing it costs one
/// pass over the whole log, nothing else, so a damaged file simply reads as absent.
struct CleanerCheckpoint: Equatable {
    static let fileName = ".brook-cleaner-checkpoint"
    static let header = "brook-cleaner-checkpoint-v1"
    static let maxBytes = 4096

    /// Every offset below this has been through a pass; the bytes from here on are "dirty".
    var firstDirtyOffset: Int64
    /// The earliest delete horizon of tombstones still in the log (Int64.max when none).
    var nextDeleteHorizon: Int64

    init(firstDirtyOffset: Int64, nextDeleteHorizon: Int64) {
        self.firstDirtyOffset = firstDirtyOffset
        self.nextDeleteHorizon = nextDeleteHorizon
    }

    func encoded() -> [UInt8] {
        Array("\(Self.header)\nfirst-dirty-offset \(firstDirtyOffset)\nnext-delete-horizon \(nextDeleteHorizon)\n".utf8)
    }

    init?(_ buffer: ByteBuffer) {
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else { return nil }
        let lines = text.split(separator: "\n")
        guard lines.count == 3, lines[0] == Self.header else { return nil }
        let dirtyFields = lines[1].split(separator: " ")
        let horizonFields = lines[2].split(separator: " ")
        guard dirtyFields.count == 2, dirtyFields[0] == "first-dirty-offset", let dirty = Int64(dirtyFields[1]),
            horizonFields.count == 2, horizonFields[0] == "next-delete-horizon", let horizon = Int64(horizonFields[1])
        else { return nil }
        self.init(firstDirtyOffset: dirty, nextDeleteHorizon: horizon)
    }

    static func load(directory: String) -> CleanerCheckpoint? {
        guard let bytes = try? FileSystem.readSmallFile(directory + "/" + fileName, maxBytes: maxBytes) else { return nil }
        return CleanerCheckpoint(bytes)
    }

    func write(directory: String) throws {
        try FileSystem.writeFileAtomically(directory + "/" + Self.fileName, directory: directory, bytes: encoded())
    }
}
