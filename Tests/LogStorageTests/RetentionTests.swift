// Retention: whole segments go by age and by total size, never the active one; rolling by
// segment.ms; the compact policy keeps everything.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

@Suite struct RetentionTests {
    /// Five batches per ~1 KB segment; batch i has timestamp 1000 * i.
    static func filledLog(_ directory: TemporaryDirectory, config: LogConfig, batches: Int = 40) throws -> PartitionLog {
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        for index in 0..<batches {
            let timestamp = Int64(1_000 * index)
            _ = try log.append(
                TestBatch.make(recordCount: 1, valueBytes: 130, baseTimestamp: timestamp), leaderEpoch: 0, now: timestamp)
        }
        return log
    }

    @Test func timeRetentionDeletesOldSegmentsAndMovesTheLogStart() throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(segmentBytes: 1_000, retentionMilliseconds: 10_000)
        let log = try Self.filledLog(directory, config: config)
        let before = directory.segmentFiles(suffix: ".log").count
        #expect(before >= 6)
        try log.applyRetention(now: 40_000)
        // Segments whose newest batch is older than 30,000 go.
        let firstKept = try #require(log.readAll(from: log.logStartOffset).first)
        #expect(log.logStartOffset > 0)
        #expect(firstKept.baseOffset == log.logStartOffset)
        #expect(directory.segmentFiles(suffix: ".log").count < before)
        #expect(directory.segmentFiles(suffix: ".log").first == LogSegment.fileName(baseOffset: log.logStartOffset, suffix: ".log"))
        let all = try log.readAll(from: log.logStartOffset)
        #expect(all.last?.baseOffset == 39)
        // Everything left is younger than the limit, except possibly within the first kept segment.
        #expect(try log.offset(forTimestamp: 0)?.offset == log.logStartOffset)
        #expect(throws: LogStorageError.offsetOutOfRange(offset: 0, logStartOffset: log.logStartOffset, logEndOffset: 40)) {
            try log.read(from: 0, maxBytes: 100)
        }
        // Far in the future everything but the active segment goes; appends continue.
        try log.applyRetention(now: 1_000_000)
        #expect(directory.segmentFiles(suffix: ".log").count == 1)
        #expect(log.logEndOffset == 40)
        #expect(try log.append(TestBatch.make(), leaderEpoch: 0, now: 1_000_000).baseOffset == 40)
    }

    /// Kafka's rule: delete the oldest segments while the log stays at or above
    /// `retention.bytes` without them, so the log ends within one segment above the limit.
    @Test func sizeRetentionDeletesDownToWithinASegmentOfTheLimit() throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(segmentBytes: 1_000, retentionMilliseconds: -1, retentionBytes: 2_500)
        let log = try Self.filledLog(directory, config: config)
        try log.applyRetention(now: 0)
        let sizes = directory.segmentFiles(suffix: ".log").map { directory.size(of: $0) }
        let total = sizes.reduce(0, +)
        let oldest = try #require(sizes.first)
        #expect(total >= 2_500, "no more than needed is deleted")
        #expect(total - oldest < 2_500, "deleting the oldest remaining segment would go below the limit")
        #expect(sizes.count < 8)
        #expect(log.logStartOffset > 0)
        #expect(try log.readAll(from: log.logStartOffset).last?.baseOffset == 39)
    }

    @Test func compactPolicyDoesNotDeleteBySizeOrTime() throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(
            segmentBytes: 1_000, retentionMilliseconds: 1, retentionBytes: 1, cleanupPolicy: .compact)
        let log = try Self.filledLog(directory, config: config)
        let before = directory.segmentFiles(suffix: ".log").count
        try log.applyRetention(now: 1_000_000)
        #expect(directory.segmentFiles(suffix: ".log").count == before)
        #expect(log.logStartOffset == 0)
    }

    @Test func segmentAgeRollsTheActiveSegment() throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(segmentMilliseconds: 60_000)
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        _ = try log.append(TestBatch.make(baseTimestamp: 0), leaderEpoch: 0, now: 0)
        try log.applyRetention(now: 30_000)
        #expect(directory.segmentFiles(suffix: ".log").count == 1)
        try log.applyRetention(now: 61_000)
        #expect(directory.segmentFiles(suffix: ".log") == ["00000000000000000000.log", "00000000000000000001.log"])
        // An append after the age limit also rolls.
        _ = try log.append(TestBatch.make(baseTimestamp: 61_000), leaderEpoch: 0, now: 61_000)
        _ = try log.append(TestBatch.make(baseTimestamp: 130_000), leaderEpoch: 0, now: 130_000)
        #expect(directory.segmentFiles(suffix: ".log").count == 3)
        #expect(try log.readAll(from: 0).map(\.baseOffset) == [0, 1, 2])
    }

    @Test func retentionSurvivesReopen() throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(segmentBytes: 1_000, retentionMilliseconds: 10_000)
        do {
            let log = try Self.filledLog(directory, config: config)
            log.close()
        }
        // The largest timestamps come back from the time indexes.
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        try log.applyRetention(now: 40_000)
        #expect(log.logStartOffset > 0)
        #expect(try log.offset(forTimestamp: 35_000)?.offset == 35)
    }
}
