// Restarts: clean reopen, crash with a torn or corrupt tail, missing or damaged indexes.
// A "crash" is a log dropped without `close()` (no clean-shutdown marker), then its files edited.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

@Suite struct RecoveryTests {
    static let config = LogConfig(segmentBytes: 2_000, indexIntervalBytes: 200)

    /// Appends `count` 2-record batches and returns each batch's size in bytes.
    @discardableResult
    static func fill(_ log: PartitionLog, count: Int) throws -> Int {
        let batch = TestBatch.make(recordCount: 2, valueBytes: 20)
        for index in 0..<count { _ = try log.append(batch, leaderEpoch: 3, now: Int64(index)) }
        return batch.readableBytes
    }

    @Test func cleanReopenKeepsEverything() throws {
        let directory = TemporaryDirectory()
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            try Self.fill(log, count: 50)
            log.close()
        }
        #expect(directory.files().contains(PartitionLog.cleanShutdownFileName))
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(!directory.files().contains(PartitionLog.cleanShutdownFileName), "the marker goes once read")
        #expect(log.logEndOffset == 100)
        #expect(try log.readAll(from: 0).map(\.baseOffset) == stride(from: Int64(0), to: 100, by: 2).map { $0 })
        #expect(try log.append(TestBatch.make(), leaderEpoch: 3, now: 0).baseOffset == 100)
    }

    @Test func crashWithoutCloseKeepsWrittenBatches() throws {
        let directory = TemporaryDirectory()
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            try Self.fill(log, count: 30)
        }
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(log.logEndOffset == 60)
        #expect(try log.readAll(from: 0).count == 30)
    }

    @Test func tornTailIsCutAndAppendsContinue() throws {
        let directory = TemporaryDirectory()
        let batchBytes: Int
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            batchBytes = try Self.fill(log, count: 30)
        }
        let last = try #require(directory.segmentFiles(suffix: ".log").last)
        let size = directory.size(of: last)
        directory.truncate(last, to: size - batchBytes / 2)  // half of the last batch is gone

        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(log.logEndOffset == 58)
        #expect(directory.size(of: last) == size - batchBytes)
        #expect(try log.readAll(from: 0).count == 29)
        let result = try log.append(TestBatch.make(recordCount: 2), leaderEpoch: 4, now: 0)
        #expect(result.baseOffset == 58)
        let headers = try log.readAll(from: 56)
        #expect(headers.map(\.baseOffset) == [56, 58])
        #expect(headers.map(\.partitionLeaderEpoch) == [3, 4])
    }

    @Test func corruptCRCInTheTailDropsThatBatchAndWhatFollows() throws {
        let directory = TemporaryDirectory()
        let batchBytes: Int
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            batchBytes = try Self.fill(log, count: 30)
        }
        let last = try #require(directory.segmentFiles(suffix: ".log").last)
        let size = directory.size(of: last)
        // Flip a value byte of the second-to-last batch: it and the last batch must go.
        try directory.corruptByte(last, at: size - batchBytes - 5)

        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(log.logEndOffset == 56)
        #expect(directory.size(of: last) == size - 2 * batchBytes)
        #expect(try log.readAll(from: 0).count == 28)
        #expect(try log.append(TestBatch.make(), leaderEpoch: 3, now: 0).baseOffset == 56)
    }

    @Test func aTruncatedBatchHeaderIsCut() throws {
        let directory = TemporaryDirectory()
        let batchBytes: Int
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            batchBytes = try Self.fill(log, count: 5)
        }
        directory.truncate("00000000000000000000.log", to: 4 * batchBytes + 20)
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(log.logEndOffset == 8)
        #expect(directory.size(of: "00000000000000000000.log") == 4 * batchBytes)
    }

    @Test func cleanMarkerThatDisagreesWithTheFilesTriggersRecovery() throws {
        let directory = TemporaryDirectory()
        let batchBytes: Int
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            batchBytes = try Self.fill(log, count: 5)
            log.close()
        }
        // Garbage appended after a clean close (the marker names the old size).
        let name = "00000000000000000000.log"
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: directory.file(name)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0x55, count: 100))
        try handle.close()
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(log.logEndOffset == 10)
        #expect(directory.size(of: name) == 5 * batchBytes)
    }

    @Test func deletedIndexesAreRebuiltTheSame() throws {
        let directory = TemporaryDirectory()
        var originals: [String: Data] = [:]
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            try Self.fill(log, count: 60)
            log.close()
        }
        let indexFiles = directory.files().filter { $0.hasSuffix(".index") || $0.hasSuffix(".timeindex") }
        #expect(indexFiles.count >= 4)
        for name in indexFiles { originals[name] = directory.contents(name) }
        #expect(originals.values.contains { !$0.isEmpty }, "200-byte interval must produce entries")
        for name in directory.segmentFiles(suffix: ".index") { try FileManager.default.removeItem(atPath: directory.file(name)) }

        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(log.logEndOffset == 120)
        for name in directory.segmentFiles(suffix: ".index") {
            #expect(directory.contents(name) == originals[name], "\(name) rebuilt differently")
        }
        for offset in stride(from: Int64(1), to: 120, by: 7) {
            let headers = try TestBatch.headers(in: log.read(from: offset, maxBytes: 1).records)
            #expect(headers.first?.baseOffset == offset - offset % 2)
        }
    }

    @Test func damagedIndexIsRebuilt() throws {
        let directory = TemporaryDirectory()
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            try Self.fill(log, count: 20)
            log.close()
        }
        let index = "00000000000000000000.index"
        let original = try #require(directory.contents(index))
        #expect(original.count >= 16)
        // Point the second entry at a position before the first: not increasing, so not trusted.
        try (original.prefix(8) + Data([0, 0, 0, 1, 0, 0, 0, 1])).write(to: URL(fileURLWithPath: directory.file(index)))
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(directory.contents(index) == original)
        #expect(try log.readAll(from: 0).count == 20)
    }

    @Test func strayFilesAreRemoved() throws {
        let directory = TemporaryDirectory()
        do {
            let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
            try Self.fill(log, count: 3)
            log.close()
        }
        _ = FileManager.default.createFile(atPath: directory.file("00000000000000000999.index"), contents: Data(count: 8))
        _ = FileManager.default.createFile(atPath: directory.file(".brook-clean-shutdown.tmp"), contents: Data())
        _ = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        #expect(!directory.files().contains("00000000000000000999.index"))
        #expect(!directory.files().contains(".brook-clean-shutdown.tmp"))
    }

    @Test func deleteFromDiskRemovesTheDirectory() throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.partition, config: Self.config, now: 0)
        try Self.fill(log, count: 3)
        try log.deleteFromDisk()
        #expect(!FileManager.default.fileExists(atPath: directory.partition))
    }
}
