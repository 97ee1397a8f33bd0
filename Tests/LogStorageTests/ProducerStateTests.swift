// Idempotent producers: retries of one of the last five batches get the original offsets and
// write nothing; gaps, old epochs and bad epoch starts are refused; sequences wrap; the state
// comes back after a restart, clean or not.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

@Suite struct ProducerStateTests {
    static func batch(producer: Int64 = 42, epoch: Int16 = 0, sequence: Int32, records: Int = 2) -> ByteBuffer {
        TestBatch.make(recordCount: records, producerId: producer, producerEpoch: epoch, baseSequence: sequence)
    }

    @Test func duplicateGetsTheOriginalOffsetsAndWritesNothing() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        _ = try log.append(TestBatch.make(recordCount: 3), leaderEpoch: 0, now: 0)  // non-idempotent: offsets 0-2
        let first = try log.append(Self.batch(sequence: 0), leaderEpoch: 0, now: 0)
        let second = try log.append(Self.batch(sequence: 2), leaderEpoch: 0, now: 0)
        #expect(first.baseOffset == 3 && second.baseOffset == 5)
        let end = log.logEndOffset
        let size = directory.size(of: "00000000000000000000.log")

        let retry = try log.append(Self.batch(sequence: 0), leaderEpoch: 0, now: 0)
        #expect(retry == AppendResult(baseOffset: 3, lastOffset: 4, logAppendTime: -1, isDuplicate: true))
        #expect(try log.append(Self.batch(sequence: 2), leaderEpoch: 0, now: 0).baseOffset == 5)
        #expect(log.logEndOffset == end)
        #expect(directory.size(of: "00000000000000000000.log") == size)
    }

    @Test func onlyTheLastFiveBatchesAreRemembered() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        for index in 0..<6 { _ = try log.append(Self.batch(sequence: Int32(index * 2)), leaderEpoch: 0, now: 0) }
        #expect(try log.append(Self.batch(sequence: 2), leaderEpoch: 0, now: 0).isDuplicate)
        #expect(throws: LogStorageError.outOfOrderSequence(producerId: 42, expectedSequence: 12, receivedSequence: 0)) {
            try log.append(Self.batch(sequence: 0), leaderEpoch: 0, now: 0)
        }
    }

    @Test func aGapInSequencesIsRefused() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        _ = try log.append(Self.batch(sequence: 0), leaderEpoch: 0, now: 0)
        #expect(throws: LogStorageError.outOfOrderSequence(producerId: 42, expectedSequence: 2, receivedSequence: 3)) {
            try log.append(Self.batch(sequence: 3), leaderEpoch: 0, now: 0)
        }
        #expect(log.logEndOffset == 2)
        // Other producers are independent.
        #expect(try log.append(Self.batch(producer: 7, sequence: 100), leaderEpoch: 0, now: 0).baseOffset == 2)
    }

    @Test func epochsFenceAndRestartSequences() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        _ = try log.append(Self.batch(epoch: 1, sequence: 0), leaderEpoch: 0, now: 0)
        _ = try log.append(Self.batch(epoch: 1, sequence: 2), leaderEpoch: 0, now: 0)
        #expect(throws: LogStorageError.outOfOrderSequence(producerId: 42, expectedSequence: 0, receivedSequence: 4)) {
            try log.append(Self.batch(epoch: 2, sequence: 4), leaderEpoch: 0, now: 0)
        }
        #expect(try log.append(Self.batch(epoch: 2, sequence: 0), leaderEpoch: 0, now: 0).baseOffset == 4)
        #expect(throws: LogStorageError.invalidProducerEpoch(producerId: 42, currentEpoch: 2, receivedEpoch: 1)) {
            try log.append(Self.batch(epoch: 1, sequence: 4), leaderEpoch: 0, now: 0)
        }
        // The old epoch's batches no longer count as duplicates under the new one.
        #expect(throws: LogStorageError.self) { try log.append(Self.batch(epoch: 2, sequence: 4), leaderEpoch: 0, now: 0) }
        #expect(try log.append(Self.batch(epoch: 2, sequence: 2), leaderEpoch: 0, now: 0).baseOffset == 6)
    }

    @Test func sequencesWrapAtInt32Max() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        // A new producer may start anywhere (Kafka 2.5+); 3 records ending at Int32.max.
        _ = try log.append(Self.batch(sequence: Int32.max - 2, records: 3), leaderEpoch: 0, now: 0)
        #expect(try log.append(Self.batch(sequence: 0, records: 2), leaderEpoch: 0, now: 0).baseOffset == 3)
        // A batch that itself wraps: 5 records from Int32.max - 1.
        let directory2 = TemporaryDirectory()
        let other = try PartitionLog(directory: directory2.partition, config: LogConfig(), now: 0)
        _ = try other.append(Self.batch(sequence: Int32.max - 1, records: 5), leaderEpoch: 0, now: 0)
        #expect(try other.append(Self.batch(sequence: Int32.max - 1, records: 5), leaderEpoch: 0, now: 0).isDuplicate)
        #expect(try other.append(Self.batch(sequence: 3), leaderEpoch: 0, now: 0).baseOffset == 5)
    }

    @Test func duplicateInsideAMultiBatchAppendWritesNothing() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(), now: 0)
        _ = try log.append(Self.batch(sequence: 0), leaderEpoch: 0, now: 0)
        var input = Self.batch(sequence: 0)
        var next = Self.batch(sequence: 2)
        input.writeBuffer(&next)
        #expect(try log.append(input, leaderEpoch: 0, now: 0).isDuplicate)
        #expect(log.logEndOffset == 2)
        // Two new batches of one producer in one append must follow each other.
        var pair = Self.batch(sequence: 2)
        var following = Self.batch(sequence: 4)
        pair.writeBuffer(&following)
        #expect(try log.append(pair, leaderEpoch: 0, now: 0).lastOffset == 5)
    }

    @Test(arguments: [true, false])
    func stateSurvivesReopen(cleanly: Bool) throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(segmentBytes: 500)
        do {
            let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
            for index in 0..<10 { _ = try log.append(Self.batch(epoch: 3, sequence: Int32(index * 2)), leaderEpoch: 0, now: 0) }
            if cleanly { log.close() }
        }
        #expect(directory.segmentFiles(suffix: ".log").count > 1)
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        #expect(try log.append(Self.batch(epoch: 3, sequence: 16), leaderEpoch: 0, now: 0)
            == AppendResult(baseOffset: 16, lastOffset: 17, logAppendTime: -1, isDuplicate: true))
        #expect(throws: LogStorageError.self) { try log.append(Self.batch(epoch: 3, sequence: 22), leaderEpoch: 0, now: 0) }
        #expect(throws: LogStorageError.self) { try log.append(Self.batch(epoch: 2, sequence: 20), leaderEpoch: 0, now: 0) }
        #expect(try log.append(Self.batch(epoch: 3, sequence: 20), leaderEpoch: 0, now: 0).baseOffset == 20)
    }

    @Test func retentionForgetsProducersWhoseBatchesAreGone() throws {
        let directory = TemporaryDirectory()
        let config = LogConfig(segmentBytes: 300, retentionMilliseconds: 10)
        let log = try PartitionLog(directory: directory.partition, config: config, now: 0)
        _ = try log.append(Self.batch(producer: 1, sequence: 0), leaderEpoch: 0, now: 0)
        for index in 0..<5 { _ = try log.append(TestBatch.make(valueBytes: 100, baseTimestamp: 10_000), leaderEpoch: 0, now: Int64(index)) }
        try log.applyRetention(now: 20_000)
        #expect(log.logStartOffset > 0)
        // Producer 1 is unknown again, so any sequence starts it afresh.
        #expect(try !log.append(Self.batch(producer: 1, sequence: 40), leaderEpoch: 0, now: 0).isDuplicate)
    }

    @Test func lastSequenceArithmetic() {
        func header(_ sequence: Int32, _ delta: Int32) -> RecordBatchHeader {
            RecordBatchHeader(
                baseOffset: 0, length: 49, partitionLeaderEpoch: 0, magic: 2, crc: 0, attributes: 0,
                lastOffsetDelta: delta, baseTimestamp: 0, maxTimestamp: 0, producerId: 1, producerEpoch: 0,
                baseSequence: sequence, recordCount: delta + 1)
        }
        #expect(ProducerStateManager.lastSequence(of: header(5, 3)) == 8)
        #expect(ProducerStateManager.lastSequence(of: header(Int32.max, 0)) == Int32.max)
        #expect(ProducerStateManager.lastSequence(of: header(Int32.max, 1)) == 0)
        #expect(ProducerStateManager.lastSequence(of: header(Int32.max - 1, 4)) == 2)
        #expect(ProducerStateManager.sequence(after: Int32.max) == 0)
    }
}

@Suite struct ProducerStateSnapshotTests {
    static func fill(_ directory: TemporaryDirectory, close: Bool) throws {
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(segmentBytes: 500), now: 0)
        for index in 0..<20 {
            _ = try log.append(ProducerStateTests.batch(epoch: 3, sequence: Int32(index * 2)), leaderEpoch: 0, now: 0)
        }
        if close { log.close() }
    }

    @Test func snapshotsAreWrittenAtRollsAndCloseAndFewAreKept() throws {
        let directory = TemporaryDirectory()
        try Self.fill(directory, close: true)
        let snapshots = directory.segmentFiles(suffix: ".snapshot")
        #expect(snapshots.count == ProducerStateSnapshot.retainedSnapshots)
        #expect(snapshots.last == ProducerStateSnapshot.fileName(offset: 40), "close snapshots the log end")
    }

    @Test func encodingRoundTripsAndDamageIsDetected() throws {
        var producers = ProducerStateManager()
        producers.set(
            ProducerStateEntry(
                epoch: 4,
                batches: [ProducerBatchMetadata(firstSequence: 0, lastSequence: 9, firstOffset: 5, lastOffset: 14, maxTimestamp: 77)]),
            for: 12)
        producers.set(ProducerStateEntry(epoch: 0, batches: []), for: 99)
        let bytes = ProducerStateSnapshot.encode(producers, offset: 20)
        let decoded = try #require(ProducerStateSnapshot.decode(ByteBuffer(bytes: bytes)))
        #expect(decoded.offset == 20)
        #expect(decoded.producers.entries == producers.entries)
        for index in [0, 10, bytes.count - 1] {
            var damaged = bytes
            damaged[index] ^= 0x01
            #expect(ProducerStateSnapshot.decode(ByteBuffer(bytes: damaged)) == nil)
        }
        #expect(ProducerStateSnapshot.decode(ByteBuffer(bytes: bytes.dropLast(5))) == nil)
    }

    @Test func cleanReopenLoadsTheSnapshotInsteadOfScanning() throws {
        let directory = TemporaryDirectory()
        try Self.fill(directory, close: true)
        // Replace the state the close saved: producer 42 at epoch 9. If the log scanned the
        // headers instead, it would see epoch 3.
        var tampered = ProducerStateManager()
        tampered.set(
            ProducerStateEntry(
                epoch: 9,
                batches: [ProducerBatchMetadata(firstSequence: 0, lastSequence: 1, firstOffset: 38, lastOffset: 39, maxTimestamp: 0)]),
            for: 42)
        try Data(ProducerStateSnapshot.encode(tampered, offset: 40))
            .write(to: URL(fileURLWithPath: directory.file(ProducerStateSnapshot.fileName(offset: 40))))
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(segmentBytes: 500), now: 0)
        #expect(throws: LogStorageError.invalidProducerEpoch(producerId: 42, currentEpoch: 9, receivedEpoch: 3)) {
            try log.append(ProducerStateTests.batch(epoch: 3, sequence: 40), leaderEpoch: 0, now: 0)
        }
    }

    @Test func damagedOrStaleSnapshotsFallBackToTheHeaders() throws {
        let directory = TemporaryDirectory()
        try Self.fill(directory, close: true)
        for name in directory.segmentFiles(suffix: ".snapshot") {
            try directory.corruptByte(name, at: 8)
        }
        // A snapshot past the log end (as after recovery cut the tail) must not be used.
        var future = ProducerStateManager()
        future.set(ProducerStateEntry(epoch: 9, batches: []), for: 42)
        let stale = ProducerStateSnapshot.fileName(offset: 1_000)
        try Data(ProducerStateSnapshot.encode(future, offset: 1_000)).write(to: URL(fileURLWithPath: directory.file(stale)))

        let log = try PartitionLog(directory: directory.partition, config: LogConfig(segmentBytes: 500), now: 0)
        #expect(directory.segmentFiles(suffix: ".snapshot").isEmpty)
        #expect(try log.append(ProducerStateTests.batch(epoch: 3, sequence: 36), leaderEpoch: 0, now: 0).isDuplicate)
        #expect(try log.append(ProducerStateTests.batch(epoch: 3, sequence: 40), leaderEpoch: 0, now: 0).baseOffset == 40)
    }

    @Test func crashReplaysOnlyAfterTheLastRollSnapshot() throws {
        let directory = TemporaryDirectory()
        try Self.fill(directory, close: false)
        let snapshots = directory.segmentFiles(suffix: ".snapshot")
        #expect(!snapshots.isEmpty, "rolls write snapshots")
        let log = try PartitionLog(directory: directory.partition, config: LogConfig(segmentBytes: 500), now: 0)
        #expect(try log.append(ProducerStateTests.batch(epoch: 3, sequence: 38), leaderEpoch: 0, now: 0).isDuplicate)
        #expect(throws: LogStorageError.self) { try log.append(ProducerStateTests.batch(epoch: 3, sequence: 44), leaderEpoch: 0, now: 0) }
    }
}
