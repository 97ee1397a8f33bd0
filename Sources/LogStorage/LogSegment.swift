// One segment of a partition log: `<base offset, 20 digits>.log` with its `.index` and
// `.timeindex`, as Kafka names them. A segment owns its open `.log` descriptor, its in-memory
// indexes and the bookkeeping that decides rolls (size, age) and retention (largest timestamp).
// Opening a segment either trusts it (after a clean shutdown: load the indexes, scan only the
// batches after the last index entry) or recovers it (check every batch's length and CRC-32C,
// cut the file after the last good batch, rebuild the indexes).
import KafkaProtocol
import NIOCore

/// Mutable fields are guarded by the owning `PartitionLog`'s state lock (writes also hold its
/// append lock); the descriptor and names never change.
final class LogSegment: @unchecked Sendable {
    static let logSuffix = ".log"
    static let offsetIndexSuffix = ".index"
    static let timeIndexSuffix = ".timeindex"
    static let baseOffsetDigits = 20

    let baseOffset: Int64
    let directory: String
    let log: FileDescriptor

    /// Bytes of whole batches in the `.log`.
    var sizeBytes: Int
    /// The offset after the segment's last batch (its base offset while empty).
    var nextOffset: Int64
    /// When the segment's age for `segment.ms` started: the first batch's timestamp after a
    /// restart (as Kafka does), or the clock at its first append.
    var rollStartMilliseconds: Int64?
    var indexes: SegmentIndexes

    var isEmpty: Bool { sizeBytes == 0 }
    var maxTimestamp: Int64 { indexes.maxTimestamp }

    /// A segment over an already open `.log` (compaction builds one under a temporary name
    /// and renames it into place; the descriptor survives the rename).
    init(baseOffset: Int64, directory: String, log: FileDescriptor, sizeBytes: Int, nextOffset: Int64, indexes: SegmentIndexes) {
        self.baseOffset = baseOffset
        self.directory = directory
        self.log = log
        self.sizeBytes = sizeBytes
        self.nextOffset = nextOffset
        self.indexes = indexes
    }

    static func fileName(baseOffset: Int64, suffix: String) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, baseOffsetDigits - digits.count)) + digits + suffix
    }

    /// The base offset a file name encodes, when it is a segment file with `suffix`.
    static func baseOffset(fileName: String, suffix: String) -> Int64? {
        guard fileName.hasSuffix(suffix) else { return nil }
        let stem = fileName.dropLast(suffix.count)
        guard stem.count == baseOffsetDigits, stem.allSatisfy(\.isASCII), let value = Int64(stem), value >= 0 else {
            return nil
        }
        return value
    }

    func path(_ suffix: String) -> String {
        directory + "/" + Self.fileName(baseOffset: baseOffset, suffix: suffix)
    }

    /// Creates an empty segment (any stale index files of that name are emptied).
    static func create(directory: String, baseOffset: Int64) throws(LogStorageError) -> LogSegment {
        let path = directory + "/" + fileName(baseOffset: baseOffset, suffix: logSuffix)
        let log = try FileDescriptor(path: path, create: true)
        try log.truncate(to: 0)
        let segment = LogSegment(
            baseOffset: baseOffset, directory: directory, log: log, sizeBytes: 0, nextOffset: baseOffset,
            indexes: SegmentIndexes())
        try segment.rewriteIndexFiles()
        return segment
    }

    /// Opens an existing segment. With `recover`, checks every batch and truncates a bad tail;
    /// otherwise trusts the files and falls back to recovery only when they disagree with the
    /// log. Returns whether bytes were cut off.
    static func open(
        directory: String, baseOffset: Int64, recover: Bool, intervalBytes: Int
    ) throws(LogStorageError) -> (segment: LogSegment, truncated: Bool) {
        let path = directory + "/" + fileName(baseOffset: baseOffset, suffix: logSuffix)
        let log = try FileDescriptor(path: path, create: false)
        let fileSize = try log.sizeBytes()
        let segment = LogSegment(
            baseOffset: baseOffset, directory: directory, log: log, sizeBytes: fileSize, nextOffset: baseOffset,
            indexes: SegmentIndexes())
        var truncated = false
        let trusted = recover ? false : try segment.loadTrustingFiles(fileSize: fileSize)
        if !trusted {
            truncated = try segment.recover(fileSize: fileSize, intervalBytes: intervalBytes)
        }
        if !segment.isEmpty {
            var scanner = BatchScanner(file: log, from: 0, to: segment.sizeBytes)
            if case let .batch(_, header) = try scanner.next() { segment.rollStartMilliseconds = header.maxTimestamp }
        }
        return (segment, truncated)
    }

    /// Loads the index files and scans the batches after the last offset entry. Returns false
    /// when an index file is missing or damaged or the tail is not whole batches.
    private func loadTrustingFiles(fileSize: Int) throws(LogStorageError) -> Bool {
        guard fileSize <= Int(Int32.max) else { return false }
        let maxIndexBytes = Int(Int32.max)
        guard let offsetBytes = try FileSystem.readSmallFile(path(Self.offsetIndexSuffix), maxBytes: maxIndexBytes),
            let timeBytes = try FileSystem.readSmallFile(path(Self.timeIndexSuffix), maxBytes: maxIndexBytes),
            var loaded = SegmentIndexes.load(offsetIndex: offsetBytes, timeIndex: timeBytes, logSizeBytes: fileSize)
        else { return false }
        loaded.finishLoad(segmentBaseOffset: baseOffset)
        var scanner = BatchScanner(file: log, from: loaded.lastOffsetEntryPosition, to: fileSize)
        var next = baseOffset
        var first = true
        while true {
            switch try scanner.next() {
            case .end:
                // The time index must not name offsets the log does not have.
                guard Int64(loaded.lastTimeEntryRelativeOffset) + baseOffset <= max(next - 1, baseOffset) else {
                    return false
                }
                indexes = loaded
                nextOffset = next
                sizeBytes = fileSize
                return true
            case .invalid:
                return false
            case let .batch(_, header):
                // The batch an offset entry points at must start at that entry's offset.
                if first, let entry = loaded.offsetEntries.last, header.baseOffset != baseOffset + Int64(entry.relativeOffset) {
                    return false
                }
                guard header.baseOffset >= next, header.lastOffset - baseOffset <= Int64(Int32.max) else { return false }
                first = false
                loaded.noteTailBatch(baseOffset: header.baseOffset, sizeBytes: header.totalSize, maxTimestamp: header.maxTimestamp)
                next = header.lastOffset + 1
            }
        }
    }

    /// Checks every batch from the start (structure, increasing offsets, CRC-32C), truncates
    /// the file after the last good one, and rebuilds and rewrites the indexes.
    private func recover(fileSize: Int, intervalBytes: Int) throws(LogStorageError) -> Bool {
        var scanner = BatchScanner(file: log, from: 0, to: fileSize)
        var rebuilt = SegmentIndexes()
        var next = baseOffset
        var validBytes = 0
        scan: while true {
            switch try scanner.next() {
            case .end, .invalid:
                break scan
            case let .batch(position, header):
                // Offsets and positions must fit the 32-bit index fields.
                guard header.baseOffset >= next, header.lastOffset - baseOffset <= Int64(Int32.max),
                    position + header.totalSize <= Int(Int32.max)
                else { break scan }
                let batch = try scanner.batchBytes(at: position, sizeBytes: header.totalSize)
                guard RecordBatchHeader.computeCRC(of: batch, at: 0, header: header) == header.crc else { break scan }
                rebuilt.noteBatch(
                    relativeOffset: Int32(header.baseOffset - baseOffset), baseOffset: header.baseOffset,
                    position: position, sizeBytes: header.totalSize, maxTimestamp: header.maxTimestamp,
                    intervalBytes: intervalBytes)
                next = header.lastOffset + 1
                validBytes = position + header.totalSize
            }
        }
        if validBytes < fileSize {
            try log.truncate(to: validBytes)
            try log.sync()
        }
        sizeBytes = validBytes
        nextOffset = next
        indexes = rebuilt
        try rewriteIndexFiles()
        return validBytes < fileSize
    }

    /// Writes index entries added since the last persist. `final` also records the segment's
    /// largest timestamp in the time index, as Kafka does when a segment stops being active.
    func persistIndexes(final: Bool) throws(LogStorageError) {
        if final { indexes.appendTimeEntryIfGrown(segmentBaseOffset: baseOffset) }
        let pending = indexes.pendingBytes()
        let writes = [
            (Self.offsetIndexSuffix, pending.offsetIndex, pending.offsetPosition),
            (Self.timeIndexSuffix, pending.timeIndex, pending.timePosition),
        ]
        for (suffix, bytes, position) in writes where final || !bytes.isEmpty {
            let file = try FileDescriptor(path: path(suffix), create: true)
            try file.write(bytes, at: position)
            // A sealed segment's indexes must be durable too: after a crash only the last
            // segment is rebuilt from its log.
            if final { try file.sync() }
        }
        indexes.markPersisted()
    }

    /// Replaces both index files with the in-memory entries.
    func rewriteIndexFiles() throws(LogStorageError) {
        for suffix in [Self.offsetIndexSuffix, Self.timeIndexSuffix] {
            let file = try FileDescriptor(path: path(suffix), create: true)
            try file.truncate(to: 0)
        }
        indexes.markUnpersisted()
        try persistIndexes(final: false)
    }

    /// Removes the segment's files. Readers still holding the segment keep reading the unlinked
    /// `.log` until they drop it.
    func deleteFiles() throws(LogStorageError) {
        for suffix in [Self.logSuffix, Self.offsetIndexSuffix, Self.timeIndexSuffix] {
            try FileSystem.remove(path(suffix))
        }
    }
}
