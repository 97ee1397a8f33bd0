// Appending and reading: offsets across segment rolls, reads from inside a batch, maxBytes,
// out-of-range offsets, lookups by timestamp, LogAppendTime, invalid input, config updates.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

@Suite struct AppendReadTests {
    /// Small segments so a few dozen batches span several of them.
    static let smallSegments = LogConfig(segmentBytes: 1_000, indexIntervalBytes: 150)

    @Test func appendsAssignConsecutiveOffsetsAndRollSegments() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.smallSegments, now: 0)
        var expectedBase: Int64 = 0
        for index in 0..<40 {
            let result = try log.append(TestBatch.make(recordCount: 3), leaderEpoch: 7, now: Int64(index))
            #expect(result == AppendResult(baseOffset: expectedBase, lastOffset: expectedBase + 2, logAppendTime: -1, isDuplicate: false))
            expectedBase += 3
        }
        #expect(log.logEndOffset == 120)
        #expect(log.highWatermark == 120)
        #expect(log.logStartOffset == 0)

        let logFiles = directory.segmentFiles(suffix: ".log")
        #expect(logFiles.count > 3, "1,000-byte segments must roll")
        #expect(logFiles.first == "00000000000000000000.log")
        for name in logFiles {
            #expect(name.count == 24)
            #expect(directory.size(of: name) <= 1_000)
        }

        // Every offset reads back the batch that holds it, stamped with offsets and epoch.
        for offset in Int64(0)..<120 {
            let result = try log.read(from: offset, maxBytes: 1)
            let headers = try TestBatch.headers(in: result.records)
            #expect(headers.count == 1)
            #expect(headers[0].baseOffset == offset - offset % 3)
            #expect(headers[0].lastOffset == offset - offset % 3 + 2)
            #expect(headers[0].partitionLeaderEpoch == 7)
            #expect(result.highWatermark == 120)
        }
        // A consumer reading everything sees each batch once, in order.
        let all = try log.readAll(from: 0)
        #expect(all.map(\.baseOffset) == stride(from: Int64(0), to: 120, by: 3).map { $0 })
    }

    @Test func readFromTheMiddleOfABatchReturnsTheWholeBatch() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        _ = try log.append(TestBatch.make(recordCount: 3), leaderEpoch: 0, now: 0)
        let second = TestBatch.make(recordCount: 5, fill: 0x62)
        _ = try log.append(second, leaderEpoch: 0, now: 0)
        let result = try log.read(from: 5, maxBytes: 1 << 20)
        let headers = try TestBatch.headers(in: result.records)
        #expect(headers.map(\.baseOffset) == [3])
        // The stored batch is the producer's bytes except the stamped base offset.
        var expected = second
        expected.setInteger(Int64(3), at: 0)
        expected.setInteger(Int32(0), at: RecordBatchHeader.Offset.partitionLeaderEpoch)
        #expect(result.records == expected)
    }

    @Test func maxBytesStopsAtWholeBatchesButAlwaysReturnsTheFirst() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        for _ in 0..<10 { _ = try log.append(TestBatch.make(recordCount: 2, valueBytes: 100), leaderEpoch: 0, now: 0) }
        let batchBytes = TestBatch.make(recordCount: 2, valueBytes: 100).readableBytes

        let tiny = try log.read(from: 0, maxBytes: 10)
        #expect(tiny.records.readableBytes == batchBytes, "the first batch comes whole even past maxBytes")
        let twoAndAHalf = try log.read(from: 2, maxBytes: batchBytes * 5 / 2)
        #expect(try TestBatch.headers(in: twoAndAHalf.records).map(\.baseOffset) == [2, 4])
        let exact = try log.read(from: 0, maxBytes: batchBytes * 3)
        #expect(try TestBatch.headers(in: exact.records).count == 3)
        let everything = try log.read(from: 0, maxBytes: Int.max)
        #expect(try TestBatch.headers(in: everything.records).count == 10)
    }

    @Test func offsetsOutsideTheLogAreRejected() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        _ = try log.append(TestBatch.make(recordCount: 4), leaderEpoch: 0, now: 0)
        #expect(throws: LogStorageError.offsetOutOfRange(offset: 5, logStartOffset: 0, logEndOffset: 4)) {
            try log.read(from: 5, maxBytes: 100)
        }
        #expect(throws: LogStorageError.offsetOutOfRange(offset: -1, logStartOffset: 0, logEndOffset: 4)) {
            try log.read(from: -1, maxBytes: 100)
        }
        let atEnd = try log.read(from: 4, maxBytes: 100)
        #expect(atEnd.records.readableBytes == 0)
        #expect(atEnd.highWatermark == 4)
    }

    @Test func emptyLogReadsNothing() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        #expect(log.logEndOffset == 0)
        #expect(try log.read(from: 0, maxBytes: 100).records.readableBytes == 0)
        #expect(try log.offset(forTimestamp: 0) == nil)
        #expect(directory.files().contains("00000000000000000000.log"))
    }

    @Test func timestampLookupFindsTheFirstRecordAtOrAfter() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.smallSegments, now: 0)
        // Batch i holds offsets 2i (timestamp 1000i + 995) and 2i+1 (timestamp 1000(i+1)).
        for index in 0..<30 {
            let base = Int64(1_000 * (index + 1)) - 5
            _ = try log.append(
                TestBatch.make(recordCount: 2, baseTimestamp: base, maxTimestamp: base + 5), leaderEpoch: 0, now: 0)
        }
        #expect(directory.segmentFiles(suffix: ".log").count > 2)
        #expect(try log.offset(forTimestamp: 0)?.offset == 0)
        // Inside a batch: Kafka answers the record, not the batch's base offset.
        #expect(try log.offset(forTimestamp: 1_000)?.offset == 1)
        #expect(try log.offset(forTimestamp: 1_000)?.timestamp == 1_000)
        #expect(try log.offset(forTimestamp: 1_001)?.offset == 2)
        #expect(try log.offset(forTimestamp: 17_500)?.offset == 34)
        #expect(try log.offset(forTimestamp: 17_500)?.timestamp == 17_995)
        #expect(try log.offset(forTimestamp: 30_000)?.offset == 59)
        #expect(try log.offset(forTimestamp: 30_001) == nil)
        // Every answer agrees with a linear scan over the decoded records.
        var bytes = ByteBuffer()
        var next: Int64 = 0
        while next < log.logEndOffset {
            var chunk = try log.read(from: next, maxBytes: 1 << 20).records
            let batches = try RecordBatch.decode(chunk)
            next = (batches.last?.header.lastOffset ?? next) + 1
            bytes.writeBuffer(&chunk)
        }
        let records = try RecordBatch.decode(bytes).flatMap(\.records)
        #expect(records.count == 60)
        for target in stride(from: Int64(0), through: 31_000, by: 250) {
            let expected = records.first { $0.timestamp >= target }
            let found = try log.offset(forTimestamp: target)
            #expect(found?.offset == expected?.offset)
            #expect(found?.timestamp == expected?.timestamp)
        }
    }

    @Test func logAppendTimeStampsTheClockAndKeepsTheCRCValid() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(
            directory: directory.partition, config: LogConfig(timestampType: .logAppendTime), now: 0)
        let result = try log.append(TestBatch.make(recordCount: 3, baseTimestamp: 5), leaderEpoch: 0, now: 77_000)
        #expect(result.logAppendTime == 77_000)
        let headers = try TestBatch.headers(in: log.read(from: 0, maxBytes: 1_000).records)  // checks the CRC
        #expect(headers.first?.maxTimestamp == 77_000)
        #expect(headers.first?.isLogAppendTime == true)
    }

    @Test func multipleBatchesInOneAppend() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        var input = TestBatch.make(recordCount: 2)
        var second = TestBatch.make(recordCount: 3)
        input.writeBuffer(&second)
        let result = try log.append(input, leaderEpoch: 1, now: 0)
        #expect(result.baseOffset == 0 && result.lastOffset == 4)
        #expect(try TestBatch.headers(in: log.read(from: 0, maxBytes: 1 << 20).records).map(\.baseOffset) == [0, 2])
    }

    @Test func invalidInputIsRejectedWithoutChangingTheLog() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(
            directory: directory.partition, config: LogConfig(maxMessageBytes: 500), now: 0)
        #expect(throws: LogStorageError.self) { try log.append(ByteBuffer(bytes: [1, 2, 3]), leaderEpoch: 0, now: 0) }
        #expect(throws: LogStorageError.self) { try log.append(ByteBuffer(), leaderEpoch: 0, now: 0) }
        var truncated = TestBatch.make(recordCount: 2)
        truncated.moveWriterIndex(to: truncated.writerIndex - 3)
        #expect(throws: LogStorageError.self) { try log.append(truncated, leaderEpoch: 0, now: 0) }
        let large = TestBatch.make(valueBytes: 600)
        #expect(throws: LogStorageError.messageTooLarge(sizeBytes: large.readableBytes, maxMessageBytes: 500)) {
            try log.append(large, leaderEpoch: 0, now: 0)
        }
        #expect(log.logEndOffset == 0)
        #expect(directory.size(of: "00000000000000000000.log") == 0)
    }

    @Test func configUpdateAppliesToLaterAppends() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        for _ in 0..<10 { _ = try log.append(TestBatch.make(valueBytes: 100), leaderEpoch: 0, now: 0) }
        #expect(directory.segmentFiles(suffix: ".log").count == 1)
        log.updateConfig(LogConfig(segmentBytes: 400))
        for _ in 0..<10 { _ = try log.append(TestBatch.make(valueBytes: 100), leaderEpoch: 0, now: 0) }
        #expect(directory.segmentFiles(suffix: ".log").count > 3)
        log.updateConfig(LogConfig(maxMessageBytes: 100))
        #expect(throws: LogStorageError.self) { try log.append(TestBatch.make(valueBytes: 100), leaderEpoch: 0, now: 0) }
        #expect(try log.readAll(from: 0).count == 20)
    }

    @Test func flushEveryMessageAndExplicitFlush() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(flushMessages: 1), now: 0)
        for _ in 0..<5 { _ = try log.append(TestBatch.make(), leaderEpoch: 0, now: 0) }
        try log.flush()
        #expect(log.logEndOffset == 5)
    }

    @Test func readsRunConcurrentlyWithAppends() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.smallSegments, now: 0)
        let appendCount = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<appendCount {
                    _ = try log.append(TestBatch.make(recordCount: 2), leaderEpoch: 0, now: Int64(index))
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    var next: Int64 = 0
                    while next < Int64(appendCount * 2) {
                        let records = try log.read(from: next, maxBytes: 500).records
                        for header in try TestBatch.headers(in: records) {
                            #expect(header.baseOffset == next)
                            next = header.lastOffset + 1
                        }
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(log.logEndOffset == Int64(appendCount * 2))
    }

    @Test func closedLogRefusesWork() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        log.close()
        #expect(throws: LogStorageError.closed) { try log.append(TestBatch.make(), leaderEpoch: 0, now: 0) }
        #expect(throws: LogStorageError.closed) { try log.read(from: 0, maxBytes: 10) }
        log.close()  // twice is fine
    }
}
