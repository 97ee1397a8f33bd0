// Helpers for the compaction tests: keyed batches built with the protocol encoder, the log read
// back as plain (offset, key, value) entries, and the model of what compaction keeps.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import LogStorage

/// One record as a consumer sees it.
struct LogEntry: Equatable, CustomStringConvertible {
    var offset: Int64
    var key: String?
    var value: String?
    var timestamp: Int64

    var description: String { "\(offset):\(key ?? "∅")=\(value ?? "⊥")@\(timestamp)" }
}

enum KeyedBatch {
    /// One batch of records `key=value` (nil value: a tombstone; nil key: keyless), all with
    /// `timestamp` + their index.
    static func make(
        _ records: [(String?, String?)], timestamp: Int64, compression: CompressionCodec = .none,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1
    ) throws -> ByteBuffer {
        let built = records.enumerated().map { index, pair in
            Record(
                timestamp: timestamp + Int64(index), key: pair.0.map { ByteBuffer(string: $0) },
                value: pair.1.map { ByteBuffer(string: $0) })
        }
        return try RecordBatch.encode(
            records: built, compression: compression, producerId: producerId, producerEpoch: producerEpoch,
            baseSequence: baseSequence)
    }
}

/// Appends keyed batches and remembers what was written, with the offsets the log gave.
struct LogWriter {
    let log: PartitionLog
    var written: [LogEntry] = []

    init(_ log: PartitionLog) { self.log = log }

    @discardableResult
    mutating func append(
        _ records: [(String?, String?)], timestamp: Int64, compression: CompressionCodec = .none,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1
    ) throws -> AppendResult {
        let batch = try KeyedBatch.make(
            records, timestamp: timestamp, compression: compression, producerId: producerId,
            producerEpoch: producerEpoch, baseSequence: baseSequence)
        let result = try log.append(batch, leaderEpoch: 3, now: timestamp)
        for (index, pair) in records.enumerated() where !result.isDuplicate {
            written.append(
                LogEntry(offset: result.baseOffset + Int64(index), key: pair.0, value: pair.1, timestamp: timestamp + Int64(index)))
        }
        return result
    }
}

/// What compaction keeps of `written` when everything below `cleanEnd` was cleaned: every
/// keyless record, everything at or after `cleanEnd`, and below it only the latest record of
/// each key (its tombstone too, unless `tombstonesExpired`).
func compactedModel(_ written: [LogEntry], cleanEnd: Int64, tombstonesExpired: Bool = false) -> [LogEntry] {
    var latest: [String: Int64] = [:]
    for entry in written where entry.offset < cleanEnd {
        if let key = entry.key { latest[key] = entry.offset }
    }
    return written.filter { entry in
        guard entry.offset < cleanEnd, let key = entry.key else { return true }
        guard latest[key] == entry.offset else { return false }
        return !(tombstonesExpired && entry.value == nil)
    }
}

extension PartitionLog {
    /// Every record from the log start to the high watermark, decoded (CRCs checked).
    func entries() throws -> [LogEntry] {
        var result: [LogEntry] = []
        for batch in try batches() {
            for record in batch.records {
                result.append(
                    LogEntry(
                        offset: record.offset, key: record.key.map { String(buffer: $0) },
                        value: record.value.map { String(buffer: $0) }, timestamp: record.timestamp))
            }
        }
        return result
    }

    /// Every stored batch from the log start to the high watermark, decoded.
    func batches() throws -> [RecordBatch] {
        var result: [RecordBatch] = []
        var next = logStartOffset
        while next < highWatermark {
            let read = try read(from: next, maxBytes: 1 << 20)
            let decoded = try RecordBatch.decode(read.records)
            guard let last = decoded.last else { break }
            #expect(decoded.first.map { $0.header.lastOffset >= next } ?? false, "a read returned a batch before its offset")
            result += decoded
            next = last.header.lastOffset + 1
        }
        return result
    }
}

extension TemporaryDirectory {
    /// Files left by an unfinished compaction pass.
    var compactionLeftovers: [String] { files().filter { $0.hasSuffix(".cleaned") || $0.hasSuffix(".swap") } }

    /// A byte-for-byte copy of the partition directory at `destination`.
    func copyPartition(to destination: String) throws {
        try FileManager.default.copyItem(atPath: partition, toPath: destination)
    }
}
