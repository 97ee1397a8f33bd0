// The broker's produce-path check of a records payload, done without decompressing.
//
// A broker stores batches exactly as producers send them, so before appending it only needs
// to know each batch is whole, magic 2, correctly checksummed, within the size limit and
// self-consistent (record count vs offset range), as Kafka's LogValidator requires of magic 2
// batches. This walks headers and runs CRC-32C (hardware) over the bytes: memory speed.
import NIOCore

extension RecordBatch {
    /// Validates every batch in the readable bytes of `buffer` (a Produce request's records
    /// field) and returns their headers in order. Unlike `decode`, a trailing partial batch is
    /// an error here. An empty buffer yields no headers; Produce v3+ requires exactly one batch
    /// per partition, which the caller checks on the returned count.
    public static func validate(_ buffer: ByteBuffer, maxBatchBytes: Int) throws(RecordBatchError) -> [RecordBatchHeader] {
        var headers: [RecordBatchHeader] = []
        var offset = 0
        while offset < buffer.readableBytes {
            let available = buffer.readableBytes - offset
            if available > RecordBatchHeader.Offset.magic {
                // Magic first: a legacy message set gets the clear "unsupported magic" error.
                let magic: Int8 = buffer.getInteger(at: buffer.readerIndex + offset + RecordBatchHeader.Offset.magic) ?? 0
                guard magic == 2 else { throw .unsupportedMagic(magic) }
            }
            if available >= RecordBatchHeader.logOverhead {
                // Size first, so an oversized batch is reported as such even if it is cut short.
                let length: Int32 = buffer.getInteger(at: buffer.readerIndex + offset + RecordBatchHeader.Offset.length) ?? 0
                let size = Int(length) + RecordBatchHeader.logOverhead
                if size > maxBatchBytes { throw .batchTooLarge(size: size, limit: maxBatchBytes) }
            }
            guard let header = try frame(in: buffer, at: offset) else {
                let length: Int32? = available >= RecordBatchHeader.logOverhead
                    ? buffer.getInteger(at: buffer.readerIndex + offset + RecordBatchHeader.Offset.length) : nil
                throw .truncated(
                    needed: length.map { Int($0) + RecordBatchHeader.logOverhead } ?? RecordBatchHeader.size,
                    available: available)
            }
            try validateHeader(header)
            let actual = RecordBatchHeader.computeCRC(of: buffer, at: offset, header: header)
            guard actual == header.crc else { throw .crcMismatch(expected: header.crc, actual: actual) }
            headers.append(header)
            offset += header.totalSize
        }
        return headers
    }

    /// The header-only rules: known codec, count ≥ 1 matching the offset range, and for an
    /// uncompressed body at least the minimum record size per record.
    static func validateHeader(_ header: RecordBatchHeader) throws(RecordBatchError) {
        guard let codec = header.compression else { throw .unsupportedCompression(Int(header.attributes & 0x07)) }
        let count = header.recordCount
        guard count >= 1, header.lastOffsetDelta >= 0, Int64(count) == Int64(header.lastOffsetDelta) + 1 else {
            throw .invalidRecordCount(count: count, lastOffsetDelta: header.lastOffsetDelta)
        }
        if codec == .none, Int(count) > (header.totalSize - RecordBatchHeader.size) / recordBytesMin {
            throw .invalidRecordCount(count: count, lastOffsetDelta: header.lastOffsetDelta)
        }
    }
}
