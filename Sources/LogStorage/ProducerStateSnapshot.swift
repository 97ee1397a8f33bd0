// Producer-state snapshots, so a restart does not have to read every batch header of the log.
// Like Kafka, the log writes `<offset, 20 digits>.snapshot` holding the producer state for all
// batches below that offset whenever a segment rolls and when the log closes; opening the log
// loads the newest snapshot not past the (recovered) log end and replays only the batch headers
// after it. A snapshot that is damaged or describes offsets recovery cut off is deleted, and the
// log falls back to an older one or to replaying every header.
//
// Format (big-endian): magic "BRPS", version int16, offset int64, producer count int32, then per
// producer: id int64, epoch int16, batch count int8, and per batch first sequence int32, last
// sequence int32, first offset int64, last offset int64, max timestamp int64; then the CRC-32C of
// everything before it, uint32.
import KafkaProtocol
import NIOCore

enum ProducerStateSnapshot {
    static let suffix = ".snapshot"
    static let magic: UInt32 = 0x4252_5053  // "BRPS"
    static let version: Int16 = 1
    /// Snapshots kept on disk: the newest, and the one before it in case the newest describes a
    /// tail that recovery later cuts.
    static let retainedSnapshots = 2
    /// A snapshot larger than this is not trusted (that is over a million producers).
    static let maxBytes = 256 << 20

    static func encode(_ producers: ProducerStateManager, offset: Int64) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(magic)
        buffer.writeInteger(version)
        buffer.writeInteger(offset)
        buffer.writeInteger(Int32(producers.entries.count))
        for (producerId, entry) in producers.entries.sorted(by: { $0.key < $1.key }) {
            buffer.writeInteger(producerId)
            buffer.writeInteger(entry.epoch)
            buffer.writeInteger(Int8(entry.batches.count))
            for batch in entry.batches {
                buffer.writeInteger(batch.firstSequence)
                buffer.writeInteger(batch.lastSequence)
                buffer.writeInteger(batch.firstOffset)
                buffer.writeInteger(batch.lastOffset)
                buffer.writeInteger(batch.maxTimestamp)
            }
        }
        let crc = CRC32C.checksum(buffer, at: 0, length: buffer.readableBytes)
        buffer.writeInteger(crc)
        return Array(buffer.readableBytesView)
    }

    /// The state and its offset, or nil when the bytes are not an intact snapshot.
    static func decode(_ bytes: ByteBuffer) -> (producers: ProducerStateManager, offset: Int64)? {
        guard bytes.readableBytes >= 4,
            let storedCRC: UInt32 = bytes.getInteger(at: bytes.writerIndex - 4),
            CRC32C.checksum(bytes, at: 0, length: bytes.readableBytes - 4) == storedCRC
        else { return nil }
        var reader = bytes
        reader.moveWriterIndex(to: bytes.writerIndex - 4)
        guard reader.readInteger(as: UInt32.self) == magic, reader.readInteger(as: Int16.self) == version,
            let offset = reader.readInteger(as: Int64.self), let count = reader.readInteger(as: Int32.self), count >= 0
        else { return nil }
        var producers = ProducerStateManager()
        for _ in 0..<count {
            guard let producerId = reader.readInteger(as: Int64.self), let epoch = reader.readInteger(as: Int16.self),
                let batchCount = reader.readInteger(as: Int8.self),
                (0...Int8(ProducerStateManager.retainedBatchesPerProducer)).contains(batchCount)
            else { return nil }
            var entry = ProducerStateEntry(epoch: epoch, batches: [])
            for _ in 0..<batchCount {
                guard let first = reader.readInteger(as: Int32.self), let last = reader.readInteger(as: Int32.self),
                    let firstOffset = reader.readInteger(as: Int64.self), let lastOffset = reader.readInteger(as: Int64.self),
                    let maxTimestamp = reader.readInteger(as: Int64.self), lastOffset < offset
                else { return nil }
                entry.batches.append(
                    ProducerBatchMetadata(
                        firstSequence: first, lastSequence: last, firstOffset: firstOffset, lastOffset: lastOffset,
                        maxTimestamp: maxTimestamp))
            }
            producers.set(entry, for: producerId)
        }
        guard reader.readableBytes == 0 else { return nil }
        return (producers, offset)
    }

    static func fileName(offset: Int64) -> String {
        LogSegment.fileName(baseOffset: offset, suffix: suffix)
    }

    /// Offsets of the snapshot files in `directory`, newest first.
    static func offsets(in directory: String) throws(LogStorageError) -> [Int64] {
        try FileSystem.listDirectory(directory)
            .compactMap { LogSegment.baseOffset(fileName: $0, suffix: suffix) }
            .sorted(by: >)
    }

    /// Writes a snapshot at `offset` and deletes all but the newest `retainedSnapshots`.
    static func write(_ producers: ProducerStateManager, offset: Int64, directory: String) throws(LogStorageError) {
        try FileSystem.writeFileAtomically(
            directory + "/" + fileName(offset: offset), directory: directory, bytes: encode(producers, offset: offset))
        for old in try offsets(in: directory).dropFirst(retainedSnapshots) {
            try FileSystem.remove(directory + "/" + fileName(offset: old))
        }
    }

    /// The newest intact snapshot at or below `logEndOffset`; deletes the ones that are past
    /// it or damaged on the way.
    static func loadNewest(directory: String, logEndOffset: Int64) throws(LogStorageError) -> (
        producers: ProducerStateManager, offset: Int64
    )? {
        for offset in try offsets(in: directory) {
            let path = directory + "/" + fileName(offset: offset)
            if offset <= logEndOffset, let bytes = try FileSystem.readSmallFile(path, maxBytes: maxBytes),
                let loaded = decode(bytes), loaded.offset == offset
            {
                return loaded
            }
            try FileSystem.remove(path)
        }
        return nil
    }
}
