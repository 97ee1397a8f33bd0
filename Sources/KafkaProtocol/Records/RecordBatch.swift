// A decoded record batch (magic 2): its header and its records, and the decoder that turns a
// records buffer (the RECORDS field of Fetch responses and Produce requests) into batches.
//
// Decoding verifies the CRC-32C, decompresses the body under a byte limit and reads each
// record's zigzag varints. Every length and count read from the wire is checked against the
// bytes actually present before it is used, so malformed input ends in a `RecordBatchError`.
import NIOCore

public struct RecordBatch: Sendable, Equatable {
    public var header: RecordBatchHeader
    public var records: [Record]

    public init(header: RecordBatchHeader, records: [Record]) {
        self.header = header
        self.records = records
    }

    /// The smallest possible record: length, attributes, timestamp delta, offset delta, key
    /// length, value length and header count, one byte each.
    static let recordBytesMin = 7
    /// Each header takes at least a key length and a value length byte.
    static let headerBytesMin = 2

    /// Decodes every complete batch in the readable bytes of `buffer`. A trailing partial
    /// batch is ignored, as Kafka clients do with fetched data cut at the fetch size limit;
    /// anything malformed before it throws. Magic 0/1 throws `.unsupportedMagic`.
    public static func decode(
        _ buffer: ByteBuffer, verifyCRC: Bool = true,
        decompressedBytesMax: Int = Compression.decompressedBytesMaxDefault
    ) throws(RecordBatchError) -> [RecordBatch] {
        var batches: [RecordBatch] = []
        var offset = 0
        while let header = try frame(in: buffer, at: offset) {
            batches.append(
                try decodeBatch(
                    buffer, at: offset, header: header, verifyCRC: verifyCRC,
                    decompressedBytesMax: decompressedBytesMax))
            offset += header.totalSize
        }
        return batches
    }

    /// Decodes the one batch that starts at reader index + `offset`; it must be complete.
    public static func decodeBatch(
        _ buffer: ByteBuffer, at offset: Int = 0, verifyCRC: Bool = true,
        decompressedBytesMax: Int = Compression.decompressedBytesMaxDefault
    ) throws(RecordBatchError) -> RecordBatch {
        guard let header = try frame(in: buffer, at: offset) else {
            let available = buffer.readableBytes - offset
            let length: Int32? = available >= RecordBatchHeader.logOverhead
                ? buffer.getInteger(at: buffer.readerIndex + offset + RecordBatchHeader.Offset.length) : nil
            throw .truncated(
                needed: length.map { Int($0) + RecordBatchHeader.logOverhead } ?? RecordBatchHeader.size,
                available: available)
        }
        return try decodeBatch(
            buffer, at: offset, header: header, verifyCRC: verifyCRC, decompressedBytesMax: decompressedBytesMax)
    }

    /// The header of the batch at reader index + `offset`, or nil when the bytes there are
    /// only part of a batch. Throws for a wrong magic or an impossible length.
    static func frame(in buffer: ByteBuffer, at offset: Int) throws(RecordBatchError) -> RecordBatchHeader? {
        let available = buffer.readableBytes - offset
        guard available >= RecordBatchHeader.logOverhead else { return nil }
        let base = buffer.readerIndex + offset
        if available > RecordBatchHeader.Offset.magic {
            let magic: Int8 = buffer.getInteger(at: base + RecordBatchHeader.Offset.magic) ?? 0
            guard magic == 2 else { throw .unsupportedMagic(magic) }
        }
        let length: Int32 = buffer.getInteger(at: base + RecordBatchHeader.Offset.length) ?? 0
        guard length >= Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead) else {
            throw .invalidLength(length)
        }
        guard available >= Int(length) + RecordBatchHeader.logOverhead else { return nil }
        return try RecordBatchHeader.peek(in: buffer, at: offset)
    }

    static func decodeBatch(
        _ buffer: ByteBuffer, at offset: Int, header: RecordBatchHeader, verifyCRC: Bool, decompressedBytesMax: Int
    ) throws(RecordBatchError) -> RecordBatch {
        if verifyCRC {
            let actual = RecordBatchHeader.computeCRC(of: buffer, at: offset, header: header)
            guard actual == header.crc else { throw .crcMismatch(expected: header.crc, actual: actual) }
        }
        guard let codec = header.compression else { throw .unsupportedCompression(Int(header.attributes & 0x07)) }
        guard header.recordCount >= 0 else {
            throw .invalidRecordCount(count: header.recordCount, lastOffsetDelta: header.lastOffsetDelta)
        }
        let bodyLength = header.totalSize - RecordBatchHeader.size
        guard
            let stored = buffer.getSlice(
                at: buffer.readerIndex + offset + RecordBatchHeader.size, length: bodyLength)
        else { throw .truncated(needed: header.totalSize, available: buffer.readableBytes - offset) }
        // An empty batch (left behind by compaction) may still carry a compressed empty body.
        if header.recordCount == 0 { return RecordBatch(header: header, records: []) }
        let body = codec == .none
            ? stored : try Compression.decompress(stored, codec: codec, decompressedBytesMax: decompressedBytesMax)
        return RecordBatch(header: header, records: try decodeRecords(body, header: header))
    }

    /// Reads exactly `header.recordCount` records filling all of `body`.
    static func decodeRecords(_ body: ByteBuffer, header: RecordBatchHeader) throws(RecordBatchError) -> [Record] {
        let count = Int(header.recordCount)
        guard count <= body.readableBytes / recordBytesMin else {
            throw .invalidRecordCount(count: header.recordCount, lastOffsetDelta: header.lastOffsetDelta)
        }
        let result = body.withUnsafeReadableBytes { raw in
            Result { () throws(RecordBatchError) -> [Record] in
                var records: [Record] = []
                records.reserveCapacity(count)
                var position = 0
                for _ in 0..<count {
                    records.append(try decodeRecord(raw, body: body, position: &position, header: header))
                }
                guard position == raw.count else {
                    throw .invalidRecord("\(raw.count - position) bytes follow the last of \(count) records")
                }
                return records
            }
        }
        return try result.get()
    }

    private static func decodeRecord(
        _ raw: UnsafeRawBufferPointer, body: ByteBuffer, position: inout Int, header: RecordBatchHeader
    ) throws(RecordBatchError) -> Record {
        var outer = RecordBytesReader(raw, position: position)
        let length = Int(try outer.readVarint())
        guard length >= recordBytesMin - 1, length <= outer.remaining else {
            throw .invalidRecord("record length \(length) does not fit the \(outer.remaining) bytes left")
        }
        let end = outer.position + length
        // Bound the reader to this record so no field can spill into the next one.
        var reader = RecordBytesReader(UnsafeRawBufferPointer(rebasing: raw[0..<end]), position: outer.position)
        _ = try reader.readByte()  // Record attributes: unused by Kafka.
        let timestampDelta = try reader.readVarlong()
        let offsetDelta = try reader.readVarint()
        let key = try readNullableBytes(&reader, body: body, what: "key")
        let value = try readNullableBytes(&reader, body: body, what: "value")
        let headerCount = Int(try reader.readVarint())
        guard headerCount >= 0, headerCount <= reader.remaining / headerBytesMin else {
            throw .invalidRecord("header count \(headerCount) does not fit the record")
        }
        var headers: [RecordHeader] = []
        headers.reserveCapacity(headerCount)
        for _ in 0..<headerCount {
            let keyLength = Int(try reader.readVarint())
            guard keyLength >= 0 else { throw .invalidRecord("header key length \(keyLength) is negative") }
            let keyStart = try reader.skip(keyLength, what: "header key")
            let headerKey = String(decoding: UnsafeRawBufferPointer(rebasing: raw[keyStart..<(keyStart + keyLength)]), as: UTF8.self)
            headers.append(RecordHeader(key: headerKey, value: try readNullableBytes(&reader, body: body, what: "header value")))
        }
        guard reader.position == end else {
            throw .invalidRecord("record length \(length) leaves \(end - reader.position) bytes unread")
        }
        position = end
        let timestamp = header.isLogAppendTime ? header.maxTimestamp : header.baseTimestamp &+ timestampDelta
        return Record(
            offset: header.baseOffset &+ Int64(offsetDelta), timestamp: timestamp, key: key, value: value,
            headers: headers)
    }

    /// A varint length (-1 = null) and that many bytes, as a slice of `body` (no copy).
    private static func readNullableBytes(
        _ reader: inout RecordBytesReader, body: ByteBuffer, what: String
    ) throws(RecordBatchError) -> ByteBuffer? {
        let length = Int(try reader.readVarint())
        if length == -1 { return nil }
        guard length >= 0 else { throw .invalidRecord("\(what) length \(length) is invalid") }
        let start = try reader.skip(length, what: what)
        guard let slice = body.getSlice(at: body.readerIndex + start, length: length) else {
            throw .invalidRecord("\(what) of \(length) bytes runs past the end of the batch")
        }
        return slice
    }
}
