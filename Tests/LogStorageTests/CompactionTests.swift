// Log compaction: the latest value per key survives across segments, offsets never move,
// tombstones live for delete.retention.ms after the pass that first kept them, compact,delete
// does both, min.compaction.lag.ms and min.cleanable.dirty.ratio hold passes back, compressed
// batches keep their codec, and the active segment is never touched.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

@Suite struct CompactionTests {
    /// About five one-record batches per segment.
    static func config(_ policy: CleanupPolicy = .compact) -> LogConfig {
        LogConfig(segmentBytes: 400, retentionMilliseconds: -1, cleanupPolicy: policy)
    }

    static func activeBaseOffset(_ log: PartitionLog) -> Int64 {
        log.stateLock.withLock { log.segments.last?.baseOffset ?? -1 }
    }

    @Test func keepsTheLatestValueOfEveryKeyAndNeverMovesOffsets() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.config(), now: 0)
        var writer = LogWriter(log)
        for index in 0..<60 {
            // Every tenth record has no key: it cannot be compacted and must stay.
            let key: String? = index % 10 == 9 ? nil : "key-\(index % 6)"
            try writer.append([(key, "value-\(index)")], timestamp: Int64(index))
        }
        let segmentsBefore = directory.segmentFiles(suffix: ".log").count
        let activeBase = Self.activeBaseOffset(log)
        #expect(segmentsBefore >= 8 && activeBase > 40)

        let summary = try #require(try log.compact(now: 1_000))
        let expected = compactedModel(writer.written, cleanEnd: activeBase)
        #expect(summary.cleanedUpToOffset == activeBase)
        #expect(summary.recordsRemoved == writer.written.count - expected.count)
        #expect(summary.bytesAfter < summary.bytesBefore)
        #expect(try log.entries() == expected)
        #expect(expected.contains { $0.key == nil && $0.offset < activeBase })
        // Batches keep the epoch they were written with; offsets continue from the same end.
        #expect(try log.batches().allSatisfy { $0.header.partitionLeaderEpoch == 3 })
        #expect(log.logStartOffset == 0 && log.logEndOffset == 60)
        #expect(directory.compactionLeftovers.isEmpty)
        // Nothing new is dirty: the next pass has nothing to do.
        #expect(try log.compact(now: 1_000) == nil)

        // More data makes the small cleaned segments dirty-heavy; the next pass merges them.
        for index in 60..<90 { try writer.append([("key-\(index % 6)", "value-\(index)")], timestamp: Int64(index)) }
        let second = try #require(try log.compact(now: 2_000))
        #expect(second.segmentsWritten < second.segmentsCleaned, "small cleaned segments merge")
        #expect(directory.segmentFiles(suffix: ".log").count < segmentsBefore)
        let expectedAfterSecond = compactedModel(writer.written, cleanEnd: second.cleanedUpToOffset)
        // Headers kept only to end a segment go when their segment merges into another.
        let emptyBatches = try log.batches().filter { $0.records.isEmpty }.count
        #expect(emptyBatches < directory.segmentFiles(suffix: ".log").count)
        #expect(try log.entries() == expectedAfterSecond)
        #expect(try log.append(KeyedBatch.make([("key-0", "after")], timestamp: 3_000), leaderEpoch: 3, now: 3_000).baseOffset == 90)

        // Reopened after a clean close, and after a crash (no marker: indexes and all), the
        // log reads the same.
        log.close()
        let reopened = try PartitionLog(directory: directory.partition, config: Self.config(), now: 4_000)
        let afterReopen = try reopened.entries()
        #expect(Array(afterReopen.dropLast()) == expectedAfterSecond)
        reopened.close(writingMarker: false)
        let recovered = try PartitionLog(directory: directory.partition, config: Self.config(), now: 4_000)
        #expect(try recovered.entries() == afterReopen)
        // Every offset reads as the first remaining batch at or after it.
        for offset in Int64(0)..<recovered.logEndOffset {
            let first = try RecordBatch.decode(try recovered.read(from: offset, maxBytes: 1).records).first
            let expectedFirst = try #require(try recovered.batches().first { $0.header.lastOffset >= offset })
            #expect(first?.header == expectedFirst.header)
        }
    }

    @Test func tombstonesStayForDeleteRetentionAfterTheFirstPassThenGo() throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        config.deleteRetentionMilliseconds = 10_000
        config.minCleanableDirtyRatio = 0
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        var writer = LogWriter(log)
        try writer.append([("gone", "1"), ("kept", "1")], timestamp: 100)
        try writer.append([("gone", "2")], timestamp: 200)
        try writer.append([("gone", nil), ("kept", "2")], timestamp: 300)
        for index in 0..<20 { try writer.append([("filler-\(index)", "x")], timestamp: 400 + Int64(index)) }
        let activeBase = Self.activeBaseOffset(log)

        _ = try #require(try log.compact(now: 100_000))
        let withTombstone = compactedModel(writer.written, cleanEnd: activeBase)
        #expect(try log.entries() == withTombstone)
        #expect(withTombstone.contains { $0.key == "gone" && $0.value == nil })
        #expect(!withTombstone.contains { $0.key == "gone" && $0.value != nil })
        // The tombstone's batch carries the horizon (KIP-534) and its records keep their
        // timestamps.
        let tombstoneBatch = try #require(try log.batches().first { $0.records.contains { $0.value == nil } })
        #expect(tombstoneBatch.header.attributes & RecordBatch.deleteHorizonAttribute != 0)
        #expect(tombstoneBatch.header.baseTimestamp == 110_000)
        #expect(tombstoneBatch.records.map(\.timestamp) == [300, 301])

        // Before the horizon nothing is due; a pass forced by new dirty data keeps it, with
        // the horizon of the pass that first kept it.
        #expect(try log.compact(now: 109_999) == nil)
        #expect(try log.entries() == withTombstone)
        for index in 20..<40 { try writer.append([("filler-\(index)", "x")], timestamp: 400 + Int64(index)) }
        let forced = try #require(try log.compact(now: 109_999))
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: forced.cleanedUpToOffset))
        #expect(try log.batches().first { $0.records.contains { $0.value == nil } }?.header.baseTimestamp == 110_000)
        log.close()

        // At the horizon the pass runs with no new data (the horizon is checkpointed) and the
        // tombstone goes; the other record of its batch stays.
        let reopened = try PartitionLog(directory: directory.partition, config: config, now: 110_000)
        _ = try #require(try reopened.compact(now: 110_000))
        let expected = compactedModel(writer.written, cleanEnd: forced.cleanedUpToOffset, tombstonesExpired: true)
        #expect(try reopened.entries() == expected)
        #expect(!expected.contains { $0.key == "gone" })
        #expect(expected.contains { $0.key == "kept" && $0.value == "2" })
        #expect(try reopened.compact(now: 200_000) == nil)
    }

    @Test func compactDeleteAppliesRetentionAndCompaction() throws {
        let directory = TemporaryDirectory()
        var config = Self.config(.compactDelete)
        config.retentionMilliseconds = 30_000
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        var writer = LogWriter(log)
        for index in 0..<60 { try writer.append([("key-\(index % 6)", "value-\(index)")], timestamp: Int64(1_000 * index)) }
        let activeBase = Self.activeBaseOffset(log)

        try log.applyRetention(now: 70_000)
        let logStart = log.logStartOffset
        #expect(logStart > 0, "segments older than retention.ms are deleted")
        let remaining = writer.written.filter { $0.offset >= logStart }
        let expected = compactedModel(remaining, cleanEnd: activeBase)
        #expect(try log.entries() == expected)
        #expect(expected.count < remaining.count, "duplicates in the remaining segments are compacted")
    }

    @Test func minCompactionLagHoldsBackRecentSegments() throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        config.minCompactionLagMilliseconds = 20_000
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        var writer = LogWriter(log)
        for index in 0..<60 { try writer.append([("key-\(index % 6)", "value-\(index)")], timestamp: Int64(1_000 * index)) }
        // At 60,000 a segment whose newest record is after 40,000 is too young, and so is
        // everything after it.
        let firstTooYoung = try #require(
            log.stateLock.withLock { log.segments.dropLast().first { $0.maxTimestamp > 40_000 }?.baseOffset })
        let summary = try #require(try log.compact(now: 60_000))
        #expect(summary.cleanedUpToOffset == firstTooYoung)
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: firstTooYoung))
        // Later the rest becomes cleanable.
        let later = try #require(try log.compact(now: 1_000_000))
        #expect(later.cleanedUpToOffset == Self.activeBaseOffset(log))
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: later.cleanedUpToOffset))
    }

    @Test func minCleanableDirtyRatioWaitsForEnoughNewData() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.config(), now: 0)
        var writer = LogWriter(log)
        // Distinct keys: compaction removes nothing, so the clean part stays large.
        for index in 0..<60 { try writer.append([("key-\(index)", "value")], timestamp: Int64(index)) }
        let first = try #require(try log.compact(now: 1_000))
        #expect(first.recordsRemoved == 0)
        // One more segment's worth is well under half of the log: no pass.
        for index in 0..<8 { try writer.append([("key-\(index)", "newer")], timestamp: 2_000) }
        #expect(try log.compact(now: 3_000) == nil)
        // Enough to pass the ratio.
        for index in 0..<70 { try writer.append([("key-\(index)", "newest")], timestamp: 4_000) }
        let second = try #require(try log.compact(now: 5_000))
        #expect(second.recordsRemoved > 0)
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: second.cleanedUpToOffset))
        // A ratio of 0 cleans whenever anything is dirty.
        var eager = Self.config()
        eager.minCleanableDirtyRatio = 0
        log.updateConfig(eager)
        for index in 0..<8 { try writer.append([("key-\(index)", "eager")], timestamp: 6_000) }
        #expect(try log.compact(now: 7_000) != nil)
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func compressedBatchesAreFilteredAndKeepTheirCodec(codec: CompressionCodec) throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.config(), now: 0)
        var writer = LogWriter(log)
        for index in 0..<24 {
            let records: [(String?, String?)] = (0..<4).map { ("key-\((index + $0) % 5)", "value-\(index)-\($0)") }
            try writer.append(records, timestamp: Int64(10 * index), compression: codec)
        }
        let before = try log.batches()
        let activeBase = Self.activeBaseOffset(log)
        _ = try #require(try log.compact(now: 10_000))
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: activeBase))
        let after = try log.batches()
        #expect(after.count < before.count)
        for batch in after {
            let original = try #require(before.first { $0.header.baseOffset == batch.header.baseOffset })
            // Same offset range; rewritten batches keep the codec (empty ones need none).
            #expect(batch.header.lastOffset == original.header.lastOffset)
            if batch.header.recordCount > 0 { #expect(batch.header.compression == codec) }
        }
    }

    @Test func theActiveSegmentIsNeverTouched() throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        config.segmentBytes = 100_000
        config.minCleanableDirtyRatio = 0
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        var writer = LogWriter(log)
        for index in 0..<30 { try writer.append([("key-\(index % 3)", "value-\(index)")], timestamp: Int64(index)) }
        let activeFile = LogSegment.fileName(baseOffset: 0, suffix: ".log")
        let bytes = directory.contents(activeFile)
        #expect(try log.compact(now: 1_000_000) == nil, "a log with only its active segment has nothing to clean")
        try log.applyRetention(now: 1_000)
        #expect(directory.contents(activeFile) == bytes)
        #expect(try log.entries() == writer.written)
    }

    @Test func aFullKeyMapCleansPartOfTheLogAndTheNextPassContinues() throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        config.minCleanableDirtyRatio = 0
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        var writer = LogWriter(log)
        for index in 0..<60 { try writer.append([("key-\(index % 12)", "value-\(index)")], timestamp: Int64(index)) }
        let activeBase = Self.activeBaseOffset(log)
        // Room for about two keys: the map fills in the first dirty segment.
        let small = KeyOffsetMap.entryOverheadBytes * 2
        let first = try #require(try log.compact(now: 1_000, mapMemoryBytesMax: small))
        #expect(first.cleanedUpToOffset > 0 && first.cleanedUpToOffset < activeBase)
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: first.cleanedUpToOffset))
        var cleanEnd = first.cleanedUpToOffset
        while cleanEnd < activeBase {
            let next = try #require(try log.compact(now: 1_000, mapMemoryBytesMax: small))
            #expect(next.cleanedUpToOffset > cleanEnd)
            cleanEnd = next.cleanedUpToOffset
        }
        #expect(try log.entries() == compactedModel(writer.written, cleanEnd: activeBase))
    }

    @Test func logAppendTimeBatchesKeepTheirTimestamps() throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        config.timestampType = .logAppendTime
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        for index in 0..<40 {
            let batch = try KeyedBatch.make([("key-\(index % 3)", "a"), ("other-\(index)", "b")], timestamp: 5)
            _ = try log.append(batch, leaderEpoch: 0, now: 1_000 + Int64(index))
        }
        _ = try #require(try log.compact(now: 100_000))
        let batches = try log.batches()
        #expect(batches.contains { $0.records.count == 1 }, "some batches lost a record")
        for batch in batches {
            #expect(batch.header.isLogAppendTime)
            #expect(batch.header.maxTimestamp == 1_000 + batch.header.baseOffset / 2)
            #expect(batch.records.allSatisfy { $0.timestamp == batch.header.maxTimestamp })
        }
    }

    @Test func theEncoderKeepsALastOffsetDeltaAndADeleteHorizon() throws {
        let records = [
            Record(offset: 10, timestamp: 500, key: ByteBuffer(string: "k"), value: nil),
            Record(offset: 12, timestamp: 700, key: ByteBuffer(string: "l"), value: ByteBuffer(string: "v")),
        ]
        var buffer = ByteBuffer()
        let header = try RecordBatch.encode(
            records: records, baseOffset: 10, compression: .lz4, producerId: 4, producerEpoch: 1, baseSequence: 20,
            offsetDeltas: .fromRecordOffsets, lastOffsetDelta: 5, deleteHorizonMilliseconds: 90_000, into: &buffer)
        #expect(header.lastOffset == 15 && header.recordCount == 2 && header.baseTimestamp == 90_000)
        #expect(header.maxTimestamp == 700)
        let decoded = try RecordBatch.decodeBatch(buffer)
        #expect(decoded.records.map(\.offset) == [10, 12])
        #expect(decoded.records.map(\.timestamp) == [500, 700])
        #expect(BatchCleaner.deleteHorizon(of: decoded.header) == 90_000)
        #expect(throws: RecordBatchError.self) {
            var other = ByteBuffer()
            try RecordBatch.encode(
                records: records, baseOffset: 10, offsetDeltas: .fromRecordOffsets, lastOffsetDelta: 1, into: &other)
        }
    }
}
