// Compaction and what must survive it: idempotent-producer state (in memory and rebuilt from
// the log after a restart), crashes at every step of the segment swap, and reads that run
// while passes replace segments under them.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

@Suite struct CompactionRecoveryTests {
    static let config = LogConfig(segmentBytes: 400, retentionMilliseconds: -1, cleanupPolicy: .compact)

    @Test func producerSequencesSurviveCleaningAndRestart() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        var writer = LogWriter(log)
        let producer: Int64 = 7
        try writer.append([("a", "1"), ("b", "1")], timestamp: 10, producerId: producer, producerEpoch: 0, baseSequence: 0)
        try writer.append([("c", "1")], timestamp: 20, producerId: producer, producerEpoch: 0, baseSequence: 2)
        // Another writer supersedes every record of the idempotent producer.
        try writer.append([("a", "2"), ("b", "2"), ("c", "2")], timestamp: 30)
        for index in 0..<12 { try writer.append([("filler-\(index)", "x")], timestamp: 40 + Int64(index)) }
        _ = try #require(try log.compact(now: 1_000))

        let batches = try log.batches()
        #expect(!batches.contains { $0.header.baseOffset == 0 }, "a fully superseded batch goes")
        // The producer's last batch keeps its header (Kafka keeps it so the state survives).
        let kept = try #require(batches.first { $0.header.baseOffset == 2 })
        #expect(kept.records.isEmpty)
        #expect(kept.header.producerId == producer && kept.header.producerEpoch == 0)
        #expect(kept.header.baseSequence == 2 && kept.header.lastOffsetDelta == 0)
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: CompactionTests.activeBaseOffset(log)))

        // In memory: a retry of the last batch is still a duplicate with its original offsets.
        let retry = try log.append(
            KeyedBatch.make([("c", "1")], timestamp: 20, producerId: producer, producerEpoch: 0, baseSequence: 2),
            leaderEpoch: 3, now: 2_000)
        #expect(retry.isDuplicate && retry.baseOffset == 2)
        log.close()

        // Rebuilt from the batch headers alone (no snapshot, no clean-shutdown marker): the
        // kept header still says sequence 2 was the last, so a gap is refused and 3 follows.
        for name in directory.files() where name.hasSuffix(".snapshot") || name.hasPrefix(".brook-clean") {
            try FileManager.default.removeItem(atPath: directory.file(name))
        }
        let reopened = try PartitionLog(directory: directory.partition, config: Self.config, now: 3_000)
        #expect(throws: LogStorageError.outOfOrderSequence(producerId: producer, expectedSequence: 3, receivedSequence: 9)) {
            try reopened.append(
                KeyedBatch.make([("d", "1")], timestamp: 3_000, producerId: producer, producerEpoch: 0, baseSequence: 9),
                leaderEpoch: 3, now: 3_000)
        }
        let next = try reopened.append(
            KeyedBatch.make([("d", "1")], timestamp: 3_000, producerId: producer, producerEpoch: 0, baseSequence: 3),
            leaderEpoch: 3, now: 3_000)
        #expect(!next.isDuplicate && next.baseOffset == writer.written.count)
    }

    /// A log with small cleaned segments and new data after them, closed cleanly: the next pass
    /// merges and rewrites several segments. Returns the log's directory, the directory as it
    /// was before that pass (`before`) and the entries before and after it.
    static func compactedPair() throws -> (directory: TemporaryDirectory, before: String, beforeEntries: [LogEntry], afterEntries: [LogEntry]) {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        var writer = LogWriter(log)
        for index in 0..<40 { try writer.append([("key-\(index % 4)", "value-\(index)")], timestamp: Int64(index)) }
        _ = try #require(try log.compact(now: 1_000))
        for index in 40..<80 { try writer.append([("key-\(index % 4)", "value-\(index)")], timestamp: Int64(index)) }
        log.close()
        let before = directory.path + "/before"
        try directory.copyPartition(to: before)
        let reopened = try PartitionLog(directory: directory.partition, config: config, now: 2_000)
        let beforeEntries = try reopened.entries()
        let summary = try #require(try reopened.compact(now: 2_000))
        #expect(summary.segmentsWritten < summary.segmentsCleaned)
        let afterEntries = try reopened.entries()
        #expect(afterEntries.count < beforeEntries.count)
        reopened.close()
        return (directory, before, beforeEntries, afterEntries)
    }

    static func names(in path: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// The swapped-in segments of the finished pass: files in `after` that differ from `before`.
    static func newSegments(after: String, before: String) throws -> [String] {
        try names(in: after, suffix: ".log").filter {
            FileManager.default.contents(atPath: after + "/" + $0) != FileManager.default.contents(atPath: before + "/" + $0)
        }
    }

    @Test func aCrashBeforeTheCommitKeepsTheOldSegments() throws {
        let (directory, before, beforeEntries, _) = try Self.compactedPair()
        // Crash while writing: the cleaned files exist (one of them torn), nothing is renamed.
        for name in try Self.newSegments(after: directory.partition, before: before) {
            let stem = before + "/" + name.dropLast(".log".count)
            try FileManager.default.copyItem(atPath: directory.file(name), toPath: stem + ".log.cleaned")
            _ = FileManager.default.createFile(atPath: stem + ".index.cleaned", contents: Data([1, 2, 3]))
        }
        let log = try PartitionLog(directory: before, config: Self.config, now: 3_000)
        #expect(try log.entries() == beforeEntries)
        #expect(try FileManager.default.contentsOfDirectory(atPath: before).allSatisfy { !$0.hasSuffix(".cleaned") })
    }

    /// Each case leaves the directory as a crash after that step of the swap would.
    enum SwapCrash: CaseIterable {
        /// Right after the commit: `.log.swap` and the `.cleaned` indexes, old segments intact.
        case afterCommit
        /// Halfway through deleting the replaced segments.
        case whileDeletingOldSegments
        /// Indexes renamed into place, the `.log.swap` not yet.
        case beforeTheLastRename
    }

    @Test(arguments: SwapCrash.allCases)
    func aCrashAfterTheCommitFinishesTheSwap(crash: SwapCrash) throws {
        let (directory, before, _, afterEntries) = try Self.compactedPair()
        let after = directory.partition
        let newSegments = try Self.newSegments(after: after, before: before)
        #expect(!newSegments.isEmpty)
        let afterBases = try Self.names(in: after, suffix: ".log").compactMap { LogSegment.baseOffset(fileName: $0, suffix: ".log") }
        for name in newSegments {
            let base = try #require(LogSegment.baseOffset(fileName: name, suffix: ".log"))
            let stem = String(name.dropLast(".log".count))
            try FileManager.default.copyItem(atPath: after + "/" + name, toPath: before + "/" + stem + ".log.swap")
            switch crash {
            case .afterCommit:
                for suffix in [".index", ".timeindex"] {
                    try FileManager.default.copyItem(atPath: after + "/" + stem + suffix, toPath: before + "/" + stem + suffix + ".cleaned")
                }
            case .whileDeletingOldSegments:
                // The replaced segments after the first one lose some of their files.
                let nextBase = afterBases.first { $0 > base } ?? Int64.max
                for old in try Self.names(in: before, suffix: ".log") {
                    guard let oldBase = LogSegment.baseOffset(fileName: old, suffix: ".log"), oldBase > base, oldBase < nextBase
                    else { continue }
                    try FileManager.default.removeItem(atPath: before + "/" + old)
                }
            case .beforeTheLastRename:
                for suffix in [".index", ".timeindex"] {
                    let target = before + "/" + stem + suffix
                    try? FileManager.default.removeItem(atPath: target)
                    try FileManager.default.copyItem(atPath: after + "/" + stem + suffix, toPath: target)
                }
            }
        }
        let log = try PartitionLog(directory: before, config: Self.config, now: 3_000)
        #expect(try log.entries() == afterEntries)
        let remaining = try FileManager.default.contentsOfDirectory(atPath: before)
        #expect(remaining.allSatisfy { !$0.hasSuffix(".cleaned") && !$0.hasSuffix(".swap") })
        #expect(try Self.names(in: before, suffix: ".log") == Self.names(in: after, suffix: ".log"))
        for name in try Self.names(in: after, suffix: ".log") {
            #expect(FileManager.default.contents(atPath: before + "/" + name) == FileManager.default.contents(atPath: after + "/" + name))
        }
        // The rebuilt indexes serve reads at every offset.
        for offset in stride(from: Int64(0), to: log.logEndOffset, by: 7) {
            let first = try RecordBatch.decode(try log.read(from: offset, maxBytes: 1).records).first
            #expect(first.map { $0.header.lastOffset >= offset } ?? false)
        }
    }

    /// Errors found by the reader thread.
    final class Findings: @unchecked Sendable {
        private let lock = NSLock()
        private var problems: [String] = []
        private var stopped = false
        private(set) var reads = 0

        func note(_ problem: String) { lock.withLock { problems.append(problem) } }
        func countRead() { lock.withLock { reads += 1 } }
        func stop() { lock.withLock { stopped = true } }
        var isStopped: Bool { lock.withLock { stopped } }
        var all: [String] { lock.withLock { problems } }
    }

    @Test func readsDuringPassesSeeEveryKeyAndOnlyWrittenRecords() async throws {
        let directory = TemporaryDirectory()
        var config = Self.config
        config.minCleanableDirtyRatio = 0
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        let keyCount = 8
        var writer = LogWriter(log)
        // Record at offset i is key-(i % 8) = value-i, so any record read can be checked.
        func appendRound(_ count: Int) throws {
            for _ in 0..<count {
                let offset = writer.written.count
                try writer.append([("key-\(offset % keyCount)", "value-\(offset)")], timestamp: Int64(offset))
            }
        }
        try appendRound(40)
        let findings = Findings()
        let reader = Task.detached {
            while !findings.isStopped {
                do {
                    let entries = try log.entries()
                    var previous: Int64 = -1
                    for entry in entries {
                        if entry.offset <= previous { findings.note("offset \(entry.offset) after \(previous)") }
                        if entry.key != "key-\(entry.offset % Int64(keyCount))" || entry.value != "value-\(entry.offset)" {
                            findings.note("offset \(entry.offset) holds \(entry)")
                        }
                        previous = entry.offset
                    }
                    if Set(entries.compactMap(\.key)).count != keyCount { findings.note("a read missed a key: \(entries)") }
                    findings.countRead()
                } catch {
                    findings.note("read failed: \(error)")
                }
            }
        }
        for round in 0..<15 {
            try appendRound(20)
            _ = try log.compact(now: Int64(10_000 + round))
        }
        // Let the reader finish a few whole reads over the final state too.
        let readsBefore = findings.reads
        while findings.reads < readsBefore + 3 { try await Task.sleep(nanoseconds: 1_000_000) }
        findings.stop()
        await reader.value
        #expect(findings.all.isEmpty, "\(findings.all.prefix(5))")
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: CompactionTests.activeBaseOffset(log)))
    }
}
