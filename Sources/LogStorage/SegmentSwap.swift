// Replacing sealed segments with their compacted version so that a crash at any moment leaves
// either the old segments or the new one, never a mix (Kafka's `.cleaned` / `.swap` protocol).
//
// Writing: the new segment for a group of old segments (the first one's base offset `B`) is
// written as `B.log.cleaned`, `B.index.cleaned` and `B.timeindex.cleaned`, and all three are
// fsynced. Swapping:
//   1. rename `B.log.cleaned` → `B.log.swap`, fsync the directory. This is the commit point:
//      from here on the new segment wins.
//   2. delete the old segments' files (all of them except `B.log`, which step 4 replaces).
//   3. rename the two index files into place, fsync the directory.
//   4. rename `B.log.swap` → `B.log`, fsync the directory.
// Opening a log (`completeInterrupted`) first deletes every `.cleaned` file (a pass that did not
// commit; the old segments are untouched), then finishes every `.swap`: it deletes all segment
// files whose base offset lies in the swap's offset range, and renames the swap into place
// without index files, so the loader rebuilds them from the log. The swap's range is exactly
// the range of the segments it replaces because the cleaner always keeps the last batch of a
// group (at least its header).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import KafkaProtocol
import NIOCore

enum SegmentSwap {
    static let cleanedSuffix = ".cleaned"
    static let swapSuffix = ".swap"
    static let segmentSuffixes = [LogSegment.logSuffix, LogSegment.offsetIndexSuffix, LogSegment.timeIndexSuffix]

    static func path(directory: String, baseOffset: Int64, suffix: String) -> String {
        directory + "/" + LogSegment.fileName(baseOffset: baseOffset, suffix: suffix)
    }

    /// Writes the cleaned segment's index files next to its `.log.cleaned` and fsyncs them.
    static func writeCleanedIndexes(_ indexes: inout SegmentIndexes, directory: String, baseOffset: Int64) throws {
        indexes.appendTimeEntryIfGrown(segmentBaseOffset: baseOffset)
        indexes.markUnpersisted()
        let pending = indexes.pendingBytes()
        for (suffix, bytes) in [
            (LogSegment.offsetIndexSuffix, pending.offsetIndex), (LogSegment.timeIndexSuffix, pending.timeIndex),
        ] {
            let file = try FileDescriptor(
                path: path(directory: directory, baseOffset: baseOffset, suffix: suffix + cleanedSuffix), create: true)
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        indexes.markPersisted()
    }

    /// Removes the files of a cleaned segment that will not be swapped in.
    static func discardCleaned(directory: String, baseOffset: Int64) {
        for suffix in segmentSuffixes {
            try? FileSystem.remove(path(directory: directory, baseOffset: baseOffset, suffix: suffix + cleanedSuffix))
        }
    }

    /// Steps 1-4 above for the cleaned segment at `baseOffset` replacing `replaced` (whose
    /// first segment has the same base offset). The caller holds the log's append lock.
    static func swapIn(directory: String, baseOffset: Int64, replacing replaced: [LogSegment]) throws {
        let cleanedLog = path(directory: directory, baseOffset: baseOffset, suffix: LogSegment.logSuffix + cleanedSuffix)
        let swapLog = path(directory: directory, baseOffset: baseOffset, suffix: LogSegment.logSuffix + swapSuffix)
        try FileSystem.move(cleanedLog, to: swapLog)
        try FileSystem.syncDirectory(directory)
        for segment in replaced {
            for suffix in segmentSuffixes where !(segment.baseOffset == baseOffset && suffix == LogSegment.logSuffix) {
                try FileSystem.remove(segment.path(suffix))
            }
        }
        for suffix in [LogSegment.offsetIndexSuffix, LogSegment.timeIndexSuffix] {
            try FileSystem.move(
                path(directory: directory, baseOffset: baseOffset, suffix: suffix + cleanedSuffix),
                to: path(directory: directory, baseOffset: baseOffset, suffix: suffix))
        }
        try FileSystem.syncDirectory(directory)
        try FileSystem.move(swapLog, to: path(directory: directory, baseOffset: baseOffset, suffix: LogSegment.logSuffix))
        try FileSystem.syncDirectory(directory)
    }

    /// Cleans up after a pass that a crash interrupted; see the file comment. Runs before the
    /// loader lists the segments.
    static func completeInterrupted(directory: String) throws {
        var names = try FileSystem.listDirectory(directory)
        var changed = false
        for name in names where name.hasSuffix(cleanedSuffix) {
            try FileSystem.remove(directory + "/" + name)
            changed = true
        }
        let swaps = names.compactMap { LogSegment.baseOffset(fileName: $0, suffix: LogSegment.logSuffix + swapSuffix) }.sorted()
        for baseOffset in swaps {
            let swapPath = path(directory: directory, baseOffset: baseOffset, suffix: LogSegment.logSuffix + swapSuffix)
            let endOffset = max(try nextOffset(ofSegmentAt: swapPath, baseOffset: baseOffset), baseOffset + 1)
            names = try FileSystem.listDirectory(directory)
            for name in names {
                for suffix in segmentSuffixes {
                    if let base = LogSegment.baseOffset(fileName: name, suffix: suffix), base >= baseOffset, base < endOffset {
                        try FileSystem.remove(directory + "/" + name)
                    }
                }
            }
            try FileSystem.move(swapPath, to: path(directory: directory, baseOffset: baseOffset, suffix: LogSegment.logSuffix))
            changed = true
        }
        if changed { try FileSystem.syncDirectory(directory) }
    }

    /// The offset after the last whole batch of a segment file (its base offset when it has
    /// none). The swap was fsynced before it was committed, so it should be whole; a damaged
    /// tail is cut later by the loader's recovery.
    static func nextOffset(ofSegmentAt path: String, baseOffset: Int64) throws -> Int64 {
        let file = try FileDescriptor(path: path, create: false)
        var scanner = BatchScanner(file: file, from: 0, to: try file.sizeBytes())
        var next = baseOffset
        while case let .batch(_, header) = try scanner.next() {
            guard header.baseOffset >= next else { break }
            next = header.lastOffset + 1
        }
        return next
    }
}

extension FileSystem {
    /// Renames (moves) a file, replacing any file at `destination` atomically.
    static func move(_ source: String, to destination: String) throws(LogStorageError) {
        guard rename(source, destination) == 0 else { throw .io("rename \(source) to \(destination)", errno: errno) }
    }
}
