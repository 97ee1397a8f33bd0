// Writing record batches (magic 2): what producers send and what tests and tools build.
//
// The encoder writes the 61-byte header with placeholders, the records (straight into the
// output, or into a scratch buffer that is then compressed into the output), and finally
// patches Length and the CRC-32C over attributes..end. Record offsets and timestamps become
// deltas from the batch's base offset and first timestamp, as Kafka's writers do.
import NIOCore

extension RecordBatch {
    /// Kafka's "no partition leader epoch" (what the Java producer writes).
    public static let noPartitionLeaderEpoch: Int32 = -1
    /// Producer id, epoch and sequence of a batch without idempotence.
    public static let noProducerId: Int64 = -1
    public static let noProducerEpoch: Int16 = -1
    public static let noSequence: Int32 = -1
    /// Attribute bit 6: the base timestamp holds the time after which the log cleaner may drop
    /// the batch's tombstones (KIP-534).
    public static let deleteHorizonAttribute: Int16 = 0x40

    /// Appends one batch holding `records` to `buffer` and returns its header (CRC included).
    ///
    /// - Offsets: with `.sequential` record i gets offset delta i; with `.fromRecordOffsets`
    ///   the delta is `record.offset - baseOffset` (must increase strictly).
    /// - Timestamps: base timestamp = the first record's, max timestamp = the largest.
    /// - `lastOffsetDelta` overrides the header's last offset delta (otherwise the last
    ///   record's): a compacted batch keeps its original offset range, and with it its producer
    ///   sequence range, after its last records were removed. It must not be below the last
    ///   record's delta.
    /// - `deleteHorizonMilliseconds` sets the delete-horizon attribute (bit 6, KIP-534) and
    ///   stores the horizon as the base timestamp; record timestamps stay exact because their
    ///   deltas are taken from it.
    /// - Throws for an empty record list, offsets that do not fit, or a codec failure.
    @discardableResult
    public static func encode(
        records: [Record], baseOffset: Int64 = 0, compression: CompressionCodec = .none,
        producerId: Int64 = noProducerId, producerEpoch: Int16 = noProducerEpoch,
        baseSequence: Int32 = noSequence, timestampType: TimestampType = .createTime,
        isTransactional: Bool = false, isControl: Bool = false,
        partitionLeaderEpoch: Int32 = noPartitionLeaderEpoch,
        offsetDeltas: RecordOffsetDeltas = .sequential,
        lastOffsetDelta: Int32? = nil, deleteHorizonMilliseconds: Int64? = nil,
        into buffer: inout ByteBuffer
    ) throws(RecordBatchError) -> RecordBatchHeader {
        guard let first = records.first, records.count <= Int(Int32.max) else {
            throw .invalidRecordCount(count: Int32(clamping: records.count), lastOffsetDelta: -1)
        }
        let deltas = try offsetDeltaList(records, baseOffset: baseOffset, mode: offsetDeltas)
        let recordsLastDelta = deltas.last ?? 0
        if let lastOffsetDelta, lastOffsetDelta < recordsLastDelta {
            throw .invalidRecordCount(count: Int32(records.count), lastOffsetDelta: lastOffsetDelta)
        }
        var maxTimestamp = first.timestamp
        for record in records where record.timestamp > maxTimestamp { maxTimestamp = record.timestamp }
        let baseTimestamp = deleteHorizonMilliseconds ?? first.timestamp

        var attributes = Int16(compression.rawValue)
        if timestampType == .logAppendTime { attributes |= 0x08 }
        if isTransactional { attributes |= 0x10 }
        if isControl { attributes |= 0x20 }
        if deleteHorizonMilliseconds != nil { attributes |= deleteHorizonAttribute }
        var header = RecordBatchHeader(
            baseOffset: baseOffset, length: 0, partitionLeaderEpoch: partitionLeaderEpoch, magic: 2, crc: 0,
            attributes: attributes, lastOffsetDelta: lastOffsetDelta ?? recordsLastDelta, baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp, producerId: producerId, producerEpoch: producerEpoch,
            baseSequence: baseSequence, recordCount: Int32(records.count))

        let start = buffer.writerIndex
        writeHeader(header, into: &buffer)
        if compression == .none {
            try writeRecords(records, deltas: deltas, baseTimestamp: baseTimestamp, into: &buffer)
        } else {
            var scratch = ByteBufferAllocator().buffer(capacity: estimatedBytes(of: records))
            try writeRecords(records, deltas: deltas, baseTimestamp: baseTimestamp, into: &scratch)
            let result = scratch.withUnsafeReadableBytes { raw in
                Result { () throws(RecordBatchError) in try Compression.compress(raw, codec: compression, into: &buffer) }
            }
            try result.get()
        }
        let total = buffer.writerIndex - start
        guard total - RecordBatchHeader.logOverhead <= Int(Int32.max) else {
            buffer.moveWriterIndex(to: start)
            throw .batchTooLarge(size: total, limit: Int(Int32.max))
        }
        header.length = Int32(total - RecordBatchHeader.logOverhead)
        buffer.setInteger(header.length, at: start + RecordBatchHeader.Offset.length)
        header.crc = buffer.withUnsafeReadableBytes { raw in
            let from = start - buffer.readerIndex + RecordBatchHeader.Offset.attributes
            return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[from..<(start - buffer.readerIndex + total)]))
        }
        buffer.setInteger(header.crc, at: start + RecordBatchHeader.Offset.crc)
        return header
    }

    /// A convenience: one batch in a fresh buffer.
    public static func encode(
        records: [Record], baseOffset: Int64 = 0, compression: CompressionCodec = .none,
        producerId: Int64 = noProducerId, producerEpoch: Int16 = noProducerEpoch,
        baseSequence: Int32 = noSequence, timestampType: TimestampType = .createTime
    ) throws(RecordBatchError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.size + estimatedBytes(of: records))
        try encode(
            records: records, baseOffset: baseOffset, compression: compression, producerId: producerId,
            producerEpoch: producerEpoch, baseSequence: baseSequence, timestampType: timestampType,
            into: &buffer)
        return buffer
    }

    private static func offsetDeltaList(
        _ records: [Record], baseOffset: Int64, mode: RecordOffsetDeltas
    ) throws(RecordBatchError) -> [Int32] {
        switch mode {
        case .sequential:
            return (0..<records.count).map { Int32($0) }
        case .fromRecordOffsets:
            var deltas: [Int32] = []
            deltas.reserveCapacity(records.count)
            var previous: Int64 = -1
            for record in records {
                let (delta, overflow) = record.offset.subtractingReportingOverflow(baseOffset)
                guard !overflow, delta > previous, delta <= Int64(Int32.max) else {
                    throw .invalidRecord(
                        "record offset \(record.offset) is not above the previous one within 2^31 of base \(baseOffset)")
                }
                deltas.append(Int32(delta))
                previous = delta
            }
            return deltas
        }
    }

    private static func estimatedBytes(of records: [Record]) -> Int {
        var bytes = 0
        for record in records {
            bytes += 24 + (record.key?.readableBytes ?? 0) + (record.value?.readableBytes ?? 0)
            for header in record.headers { bytes += 10 + header.key.utf8.count + (header.value?.readableBytes ?? 0) }
        }
        return bytes
    }

    private static func writeHeader(_ header: RecordBatchHeader, into buffer: inout ByteBuffer) {
        buffer.writeInteger(header.baseOffset)
        buffer.writeInteger(header.length)
        buffer.writeInteger(header.partitionLeaderEpoch)
        buffer.writeInteger(header.magic)
        buffer.writeInteger(header.crc)
        buffer.writeInteger(header.attributes)
        buffer.writeInteger(header.lastOffsetDelta)
        buffer.writeInteger(header.baseTimestamp)
        buffer.writeInteger(header.maxTimestamp)
        buffer.writeInteger(header.producerId)
        buffer.writeInteger(header.producerEpoch)
        buffer.writeInteger(header.baseSequence)
        buffer.writeInteger(header.recordCount)
    }

    private static func writeRecords(
        _ records: [Record], deltas: [Int32], baseTimestamp: Int64, into buffer: inout ByteBuffer
    ) throws(RecordBatchError) {
        for (record, offsetDelta) in zip(records, deltas) {
            try writeRecord(record, offsetDelta: offsetDelta, timestampDelta: record.timestamp &- baseTimestamp, into: &buffer)
        }
    }

    private static func nullableSize(_ bytes: ByteBuffer?) -> Int {
        guard let bytes else { return RecordVarint.size(ofVarint: -1) }
        return RecordVarint.size(ofVarint: Int32(clamping: bytes.readableBytes)) + bytes.readableBytes
    }

    private static func writeNullable(_ bytes: ByteBuffer?, into buffer: inout ByteBuffer) {
        guard let bytes else {
            RecordVarint.writeVarint(-1, into: &buffer)
            return
        }
        RecordVarint.writeVarint(Int32(bytes.readableBytes), into: &buffer)
        buffer.writeImmutableBuffer(bytes)
    }

    private static func writeRecord(
        _ record: Record, offsetDelta: Int32, timestampDelta: Int64, into buffer: inout ByteBuffer
    ) throws(RecordBatchError) {
        // The record's length prefix comes first, so size the body before writing it.
        var bodySize = 1 + RecordVarint.size(ofVarlong: timestampDelta) + RecordVarint.size(ofVarint: offsetDelta)
        bodySize += nullableSize(record.key) + nullableSize(record.value)
        bodySize += RecordVarint.size(ofVarint: Int32(clamping: record.headers.count))
        for header in record.headers {
            let keyBytes = header.key.utf8.count
            bodySize += RecordVarint.size(ofVarint: Int32(clamping: keyBytes)) + keyBytes + nullableSize(header.value)
        }
        guard bodySize <= Int(Int32.max) else { throw .invalidRecord("record of \(bodySize) bytes is too big") }
        RecordVarint.writeVarint(Int32(bodySize), into: &buffer)
        buffer.writeInteger(UInt8(0))  // Record attributes: unused.
        RecordVarint.writeVarlong(timestampDelta, into: &buffer)
        RecordVarint.writeVarint(offsetDelta, into: &buffer)
        writeNullable(record.key, into: &buffer)
        writeNullable(record.value, into: &buffer)
        RecordVarint.writeVarint(Int32(record.headers.count), into: &buffer)
        for header in record.headers {
            RecordVarint.writeVarint(Int32(header.key.utf8.count), into: &buffer)
            buffer.writeString(header.key)
            writeNullable(header.value, into: &buffer)
        }
    }
}
