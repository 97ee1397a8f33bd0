// The fixed 61-byte header of a Kafka record batch (magic 2), read and stamped in place.
//
// The broker stores batches exactly as producers send them. The only bytes it ever changes are
// the base offset and the partition leader epoch, neither of which the CRC covers, so a
// stored batch keeps the producer's CRC. This type reads the header fields the log and the
// broker need (offsets, timestamps, producer state, CRC) without decoding any record.
import NIOCore

public struct RecordBatchHeader: Sendable, Equatable {
    /// Bytes before `Length` that `Length` does not count (base offset + length).
    public static let logOverhead = 12
    /// Size of the whole header, up to the first record.
    public static let size = 61
    /// Byte offsets of each field within a batch.
    public enum Offset {
        public static let baseOffset = 0
        public static let length = 8
        public static let partitionLeaderEpoch = 12
        public static let magic = 16
        public static let crc = 17
        public static let attributes = 21
        public static let lastOffsetDelta = 23
        public static let baseTimestamp = 27
        public static let maxTimestamp = 35
        public static let producerId = 43
        public static let producerEpoch = 51
        public static let baseSequence = 53
        public static let recordCount = 57
    }

    public var baseOffset: Int64
    /// Bytes after the length field; the whole batch is `length + 12` bytes.
    public var length: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordCount: Int32

    public var totalSize: Int { Int(length) + Self.logOverhead }
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    public var compression: CompressionCodec? { CompressionCodec(rawValue: Int(attributes & 0x07)) }
    public var isLogAppendTime: Bool { attributes & 0x08 != 0 }
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    public var isControl: Bool { attributes & 0x20 != 0 }
    public var hasProducerId: Bool { producerId >= 0 }

    public init(
        baseOffset: Int64, length: Int32, partitionLeaderEpoch: Int32, magic: Int8, crc: UInt32,
        attributes: Int16, lastOffsetDelta: Int32, baseTimestamp: Int64, maxTimestamp: Int64,
        producerId: Int64, producerEpoch: Int16, baseSequence: Int32, recordCount: Int32
    ) {
        self.baseOffset = baseOffset
        self.length = length
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordCount = recordCount
    }

    /// Reads the header at reader index + `offset` without moving the reader index.
    /// Returns nil when fewer than the magic byte's worth of bytes are readable.
    /// Throws when the magic is not 2 or the header is shorter than 61 bytes.
    public static func peek(in buffer: ByteBuffer, at offset: Int = 0) throws(RecordBatchError) -> RecordBatchHeader {
        let base = buffer.readerIndex + offset
        guard buffer.readableBytes - offset >= Offset.magic + 1 else {
            throw .truncated(needed: Offset.magic + 1, available: buffer.readableBytes - offset)
        }
        let magic: Int8 = buffer.getInteger(at: base + Offset.magic)!
        guard magic == 2 else { throw .unsupportedMagic(magic) }
        guard buffer.readableBytes - offset >= size else {
            throw .truncated(needed: size, available: buffer.readableBytes - offset)
        }
        let length: Int32 = buffer.getInteger(at: base + Offset.length)!
        guard length >= Int32(size - logOverhead) else { throw .invalidLength(length) }
        return RecordBatchHeader(
            baseOffset: buffer.getInteger(at: base + Offset.baseOffset)!,
            length: length,
            partitionLeaderEpoch: buffer.getInteger(at: base + Offset.partitionLeaderEpoch)!,
            magic: magic,
            crc: buffer.getInteger(at: base + Offset.crc)!,
            attributes: buffer.getInteger(at: base + Offset.attributes)!,
            lastOffsetDelta: buffer.getInteger(at: base + Offset.lastOffsetDelta)!,
            baseTimestamp: buffer.getInteger(at: base + Offset.baseTimestamp)!,
            maxTimestamp: buffer.getInteger(at: base + Offset.maxTimestamp)!,
            producerId: buffer.getInteger(at: base + Offset.producerId)!,
            producerEpoch: buffer.getInteger(at: base + Offset.producerEpoch)!,
            baseSequence: buffer.getInteger(at: base + Offset.baseSequence)!,
            recordCount: buffer.getInteger(at: base + Offset.recordCount)!)
    }

    /// The CRC-32C the batch at reader index + `offset` should carry (attributes to end).
    public static func computeCRC(of buffer: ByteBuffer, at offset: Int, header: RecordBatchHeader) -> UInt32 {
        CRC32C.checksum(
            buffer, at: offset + Offset.attributes,
            length: header.totalSize - Offset.attributes)
    }

    /// Overwrites the base offset and partition leader epoch of the batch at absolute index
    /// `index`. The CRC does not cover them, so it stays valid.
    public static func stamp(
        _ buffer: inout ByteBuffer, atIndex index: Int, baseOffset: Int64, partitionLeaderEpoch: Int32
    ) {
        buffer.setInteger(baseOffset, at: index + Offset.baseOffset)
        buffer.setInteger(partitionLeaderEpoch, at: index + Offset.partitionLeaderEpoch)
    }
}

/// Compression codec ids of record batch attributes bits 0-2.
public enum CompressionCodec: Int, Sendable, CaseIterable {
    case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4
}

public enum RecordBatchError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(needed: Int, available: Int)
    case unsupportedMagic(Int8)
    case invalidLength(Int32)
    case crcMismatch(expected: UInt32, actual: UInt32)
    case invalidRecord(String)
    case unsupportedCompression(Int)
    case compression(String)
    /// Decompressing a batch body would produce more than `limit` bytes (a decompression bomb,
    /// or a batch bigger than this reader accepts).
    case decompressedSizeLimitExceeded(limit: Int)
    /// A batch is bigger than the configured limit (the broker's max message bytes).
    case batchTooLarge(size: Int, limit: Int)
    /// Record count and last offset delta disagree, or the count is impossible for the body.
    case invalidRecordCount(count: Int32, lastOffsetDelta: Int32)

    public var description: String {
        switch self {
        case let .truncated(needed, available):
            "record batch truncated: needs \(needed) bytes, \(available) available"
        case let .unsupportedMagic(magic):
            "record batch magic \(magic) is not supported: Brook stores magic 2 (Kafka 0.11+) batches only"
        case let .invalidLength(length): "record batch length \(length) is invalid"
        case let .crcMismatch(expected, actual):
            "record batch CRC mismatch: header says \(String(expected, radix: 16)), bytes give \(String(actual, radix: 16))"
        case let .invalidRecord(why): "invalid record: \(why)"
        case let .unsupportedCompression(id): "unsupported compression codec id \(id)"
        case let .compression(why): "compression error: \(why)"
        case let .decompressedSizeLimitExceeded(limit):
            "decompressed record batch body exceeds the limit of \(limit) bytes"
        case let .batchTooLarge(size, limit): "record batch of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .invalidRecordCount(count, lastOffsetDelta):
            "record batch count \(count) does not fit its last offset delta \(lastOffsetDelta) or its size"
        }
    }
}
