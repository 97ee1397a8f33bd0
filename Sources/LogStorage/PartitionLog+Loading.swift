// Opening a partition log: find the segments, decide how much to trust them, and rebuild the
// in-memory state (offsets, indexes, producer state).
//
// After a clean close (the marker file is present and agrees with the last segment) every
// segment is trusted: indexes are loaded and only the batches after each segment's last index
// entry are scanned. Otherwise the last segment is recovered batch by batch (length, offsets,
// CRC-32C) and cut after its last good batch. Older segments need no check: a segment is fsynced
// before the next one is created, so only the newest can have a torn tail. Any segment whose
// index files are missing or disagree with its log is recovered the same way; if that cuts
// bytes from a segment that is not the last, the segments after it are dropped, since the log
// must stay one unbroken run of batches.
//
// The marker is removed (durably) as soon as it is read, so a crash of this run is noticed by
// the next one. The producer state comes from the newest snapshot not past the recovered log
// end, plus the batch headers after it.
import KafkaProtocol
import NIOCore

struct CleanShutdownMarker: Equatable {
    static let header = "brook-clean-shutdown-v1"
    /// A marker file larger than this is not one of ours.
    static let maxBytes = 4096

    var logEndOffset: Int64
    var activeSegmentBytes: Int

    func encoded() -> [UInt8] {
        Array("\(Self.header)\nlog-end-offset \(logEndOffset)\nactive-segment-bytes \(activeSegmentBytes)\n".utf8)
    }

    init(logEndOffset: Int64, activeSegmentBytes: Int) {
        self.logEndOffset = logEndOffset
        self.activeSegmentBytes = activeSegmentBytes
    }

    /// Parses a marker; nil for anything else (a torn or foreign file counts as no marker).
    init?(_ buffer: ByteBuffer) {
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else { return nil }
        let lines = text.split(separator: "\n")
        guard lines.count == 3, lines[0] == Self.header else { return nil }
        let endFields = lines[1].split(separator: " ")
        let sizeFields = lines[2].split(separator: " ")
        guard endFields.count == 2, endFields[0] == "log-end-offset", let logEnd = Int64(endFields[1]),
            sizeFields.count == 2, sizeFields[0] == "active-segment-bytes", let size = Int(sizeFields[1])
        else { return nil }
        self.init(logEndOffset: logEnd, activeSegmentBytes: size)
    }
}

extension PartitionLog {
    struct LoadedState {
        var segments: [LogSegment]
        var producers: ProducerStateManager
    }

    static func load(directory: String, config: LogConfig) throws -> LoadedState {
        try FileSystem.makeDirectory(directory)
        // A compaction pass a crash interrupted is rolled back or finished first, so the
        // listing below sees one consistent set of segments.
        try SegmentSwap.completeInterrupted(directory: directory)
        let names = try FileSystem.listDirectory(directory)
        let baseOffsets = names.compactMap { LogSegment.baseOffset(fileName: $0, suffix: LogSegment.logSuffix) }.sorted()
        try removeStrayFiles(names, keeping: Set(baseOffsets), directory: directory)

        let markerPath = directory + "/" + cleanShutdownFileName
        let marker = try FileSystem.readSmallFile(markerPath, maxBytes: CleanShutdownMarker.maxBytes).flatMap {
            CleanShutdownMarker($0)
        }
        if FileSystem.exists(markerPath) {
            try FileSystem.remove(markerPath)
            try FileSystem.syncDirectory(directory)
        }

        let interval = config.effectiveIndexIntervalBytes
        var segments: [LogSegment] = []
        for (index, baseOffset) in baseOffsets.enumerated() {
            let isLast = index == baseOffsets.count - 1
            var (segment, truncated) = try LogSegment.open(
                directory: directory, baseOffset: baseOffset, recover: isLast && marker == nil, intervalBytes: interval)
            if isLast, let marker,
                marker.logEndOffset != segment.nextOffset || marker.activeSegmentBytes != segment.sizeBytes
            {
                // The marker describes another state of the log than the files: trust neither.
                (segment, truncated) = try LogSegment.open(
                    directory: directory, baseOffset: baseOffset, recover: true, intervalBytes: interval)
            }
            if let previous = segments.last, segment.baseOffset < previous.nextOffset {
                throw LogStorageError.corrupt(
                    "\(directory): segment \(segment.baseOffset) starts below the end \(previous.nextOffset) of the one before")
            }
            segments.append(segment)
            if truncated && !isLast {
                for later in baseOffsets[(index + 1)...] {
                    for suffix in [LogSegment.logSuffix, LogSegment.offsetIndexSuffix, LogSegment.timeIndexSuffix] {
                        try FileSystem.remove(directory + "/" + LogSegment.fileName(baseOffset: later, suffix: suffix))
                    }
                }
                break
            }
        }
        if let last = segments.last {
            // Whatever recovery kept is made durable now, so the log can start fully flushed.
            try last.log.sync()
        } else {
            segments.append(try LogSegment.create(directory: directory, baseOffset: 0))
            try FileSystem.syncDirectory(directory)
        }
        return LoadedState(segments: segments, producers: try loadProducerState(segments, directory: directory))
    }

    /// The producer state: the newest usable snapshot plus the batch headers after it (all
    /// headers when there is no snapshot), minus producers whose batches retention removed.
    static func loadProducerState(_ segments: [LogSegment], directory: String) throws -> ProducerStateManager {
        let logEnd = segments.last?.nextOffset ?? 0
        var producers = ProducerStateManager()
        var replayFrom = Int64.min
        if let snapshot = try ProducerStateSnapshot.loadNewest(directory: directory, logEndOffset: logEnd) {
            producers = snapshot.producers
            replayFrom = snapshot.offset
        }
        try replayProducerState(&producers, segments: segments, from: replayFrom)
        producers.removeProducers(lastOffsetBelow: segments.first?.baseOffset ?? 0)
        return producers
    }

    /// Deletes leftovers that belong to no segment: index files without a `.log` and temporary
    /// files of an interrupted atomic write.
    private static func removeStrayFiles(_ names: [String], keeping baseOffsets: Set<Int64>, directory: String) throws {
        for name in names {
            var stray = name.hasSuffix(".tmp")
            for suffix in [LogSegment.offsetIndexSuffix, LogSegment.timeIndexSuffix] {
                if let base = LogSegment.baseOffset(fileName: name, suffix: suffix), !baseOffsets.contains(base) {
                    stray = true
                }
            }
            if stray { try FileSystem.remove(directory + "/" + name) }
        }
    }

    /// Replays the headers of the stored batches at or after `offset` into `producers`.
    static func replayProducerState(
        _ producers: inout ProducerStateManager, segments: [LogSegment], from offset: Int64
    ) throws {
        for segment in segments where segment.nextOffset > offset {
            let start =
                segment.baseOffset < offset
                ? segment.indexes.position(forRelativeOffset: Int32(clamping: offset - segment.baseOffset)) : 0
            var scanner = BatchScanner(file: segment.log, from: start, to: segment.sizeBytes)
            scan: while true {
                switch try scanner.next() {
                case .end:
                    break scan
                case let .invalid(position, reason):
                    throw LogStorageError.corrupt("\(segment.log.path) at byte \(position): \(reason)")
                case let .batch(_, header):
                    if header.baseOffset >= offset { producers.replay(header) }
                }
            }
        }
    }
}
