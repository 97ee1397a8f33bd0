// Reading from a partition log: by offset (Fetch) and by timestamp (ListOffsets). The state lock
// is held only to pick the segment and look up the index; the file reads happen outside it, on
// the segment's own descriptor, which stays valid even if retention deletes the segment meanwhile.
import KafkaProtocol
import NIOCore

extension PartitionLog {
    /// Where to look for an offset: a segment and the byte range of it to scan.
    struct SegmentRange {
        var segment: LogSegment
        var startPosition: Int
        var endPosition: Int
        /// The offset after the segment's last batch when the range was taken.
        var endOffset: Int64
    }

    /// Whole stored batches starting with the one that holds `offset`, up to `maxBytes` (but
    /// always the whole first batch, even when it is larger, as Kafka does), never reaching the
    /// high watermark. Batches come from one segment per call. The bytes are read from the file
    /// straight into the returned buffer.
    ///
    /// Throws `offsetOutOfRange` when `offset` is below the log start or above the log end; an
    /// offset at or past the high watermark (up to the log end) gives empty records.
    public func read(from offset: Int64, maxBytes: Int) throws -> LogReadResult {
        let (highWatermark, logStart, start) = try stateLock.withLock {
            () throws -> (Int64, Int64, SegmentRange?) in
            guard !isClosed else { throw LogStorageError.closed }
            guard offset >= logStartOffsetValue && offset <= logEndOffsetValue else {
                throw LogStorageError.offsetOutOfRange(
                    offset: offset, logStartOffset: logStartOffsetValue, logEndOffset: logEndOffsetValue)
            }
            let range = offset < highWatermarkValue ? segmentRange(containing: offset) : nil
            return (highWatermarkValue, logStartOffsetValue, range)
        }
        var empty: LogReadResult { LogReadResult(records: ByteBuffer(), highWatermark: highWatermark, logStartOffset: logStart) }
        var candidate = start
        while let range = candidate {
            var scanner = BatchScanner(file: range.segment.log, from: range.startPosition, to: range.endPosition)
            scan: while true {
                switch try scanner.next() {
                case .end:
                    break scan
                case let .invalid(position, reason):
                    throw LogStorageError.corrupt("\(range.segment.log.path) at byte \(position): \(reason)")
                case let .batch(position, header):
                    guard header.lastOffset >= offset else { continue }
                    guard header.lastOffset < highWatermark else { return empty }
                    let records = try readBatches(
                        range.segment, from: position, firstBatchBytes: header.totalSize, endPosition: range.endPosition,
                        maxBytes: maxBytes, highWatermark: highWatermark)
                    return LogReadResult(records: records, highWatermark: highWatermark, logStartOffset: logStart)
                }
            }
            // Nothing at or after the offset in that segment (its last batches end below it,
            // or compaction removed them): continue from its end in the current segment list,
            // which compaction may have changed meanwhile (merged segments replace several
            // old ones under the first one's base offset, so "the segment after this one"
            // could skip records).
            candidate = stateLock.withLock { segmentRange(continuingFrom: max(offset, range.endOffset)) }
        }
        return empty
    }

    /// Reads the first batch and as many following whole batches as fit in `maxBytes` and lie
    /// below the high watermark, with one read into the result buffer.
    private func readBatches(
        _ segment: LogSegment, from position: Int, firstBatchBytes: Int, endPosition: Int, maxBytes: Int,
        highWatermark: Int64
    ) throws -> ByteBuffer {
        let length = firstBatchBytes >= maxBytes ? firstBatchBytes : min(maxBytes, endPosition - position)
        var buffer = try segment.log.read(count: length, at: position)
        // Keep whole batches only, and none that reaches the high watermark.
        var kept = firstBatchBytes
        let start = buffer.readerIndex
        while buffer.readableBytes - kept >= RecordBatchHeader.size {
            guard let batchLength: Int32 = buffer.getInteger(at: start + kept + RecordBatchHeader.Offset.length),
                let baseOffset: Int64 = buffer.getInteger(at: start + kept + RecordBatchHeader.Offset.baseOffset),
                let lastOffsetDelta: Int32 = buffer.getInteger(at: start + kept + RecordBatchHeader.Offset.lastOffsetDelta)
            else { break }
            let batchBytes = Int(batchLength) + RecordBatchHeader.logOverhead
            guard batchBytes >= RecordBatchHeader.size, batchBytes <= buffer.readableBytes - kept,
                baseOffset + Int64(lastOffsetDelta) < highWatermark
            else { break }
            kept += batchBytes
        }
        buffer.moveWriterIndex(to: start + kept)
        return buffer
    }

    /// Under the state lock: the segment that holds `offset` and the byte range to scan, from
    /// the last index entry at or before it.
    func segmentRange(containing offset: Int64) -> SegmentRange? {
        var low = 0
        var high = segments.count  // first segment whose base offset is above `offset`
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].baseOffset <= offset { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return segments.first.map(Self.wholeRange) }
        let segment = segments[low - 1]
        let relativeOffset = Int32(clamping: offset - segment.baseOffset)
        return SegmentRange(
            segment: segment, startPosition: segment.indexes.position(forRelativeOffset: relativeOffset),
            endPosition: segment.sizeBytes, endOffset: segment.nextOffset)
    }

    /// Under the state lock: where to look next for the first batch ending at or after
    /// `offset`: the segment holding it when one does, else the whole first segment starting
    /// after it. Each answer's end offset is above `offset`, so a reader that keeps continuing
    /// from the end of what it scanned always makes progress.
    func segmentRange(continuingFrom offset: Int64) -> SegmentRange? {
        if let range = segmentRange(containing: offset), range.segment.baseOffset <= offset, range.endOffset > offset {
            return range
        }
        return segments.first(where: { $0.baseOffset > offset }).map(Self.wholeRange)
    }

    static func wholeRange(_ segment: LogSegment) -> SegmentRange {
        SegmentRange(segment: segment, startPosition: 0, endPosition: segment.sizeBytes, endOffset: segment.nextOffset)
    }

    /// Kafka's ListOffsets by time: the first record (below the high watermark, at or after the
    /// log start) whose timestamp is at or after `timestamp`, with that record's timestamp, or nil
    /// when there is none. The indexes find the first batch whose max timestamp qualifies; the
    /// record inside it is found by decoding that one batch, as Kafka does.
    public func offset(forTimestamp timestamp: Int64) throws -> (offset: Int64, timestamp: Int64)? {
        guard let batch = try batch(forTimestamp: timestamp) else { return nil }
        let logStart = logStartOffset
        let read = try self.read(from: batch.offset, maxBytes: 1)
        let decoded: RecordBatch
        do {
            decoded = try RecordBatch.decodeBatch(read.records, at: 0, verifyCRC: false)
        } catch {
            throw LogStorageError.corrupt("batch at offset \(batch.offset) does not decode: \(error)")
        }
        for record in decoded.records where record.offset >= logStart && record.timestamp >= timestamp {
            return (record.offset, record.timestamp)
        }
        // No single record qualifies (a batch whose header and records disagree): answer at
        // batch granularity rather than skip the batch.
        return batch
    }

    /// Kafka's ListOffsets max-timestamp lookup (KIP-734): the first record carrying the largest
    /// timestamp in the log (below the high watermark), or nil for an empty log.
    public func offsetOfMaxTimestamp() throws -> (offset: Int64, timestamp: Int64)? {
        let largest = try stateLock.withLock { () throws -> Int64? in
            guard !isClosed else { throw LogStorageError.closed }
            return segments.filter { !$0.isEmpty }.map(\.maxTimestamp).max()
        }
        guard let largest else { return nil }
        return try offset(forTimestamp: largest)
    }

    /// The first batch whose max timestamp is at or after `timestamp`: its base offset (at least
    /// the log start) and max timestamp.
    func batch(forTimestamp timestamp: Int64) throws -> (offset: Int64, timestamp: Int64)? {
        let (highWatermark, logStart, ranges) = try stateLock.withLock {
            () throws -> (Int64, Int64, [SegmentRange]) in
            guard !isClosed else { throw LogStorageError.closed }
            // Segments whose largest timestamp is too small cannot hold the answer.
            let ranges = segments.filter { $0.maxTimestamp >= timestamp }.map { segment in
                let relativeOffset = segment.indexes.startRelativeOffset(forTimestamp: timestamp)
                return SegmentRange(
                    segment: segment, startPosition: segment.indexes.position(forRelativeOffset: relativeOffset),
                    endPosition: segment.sizeBytes, endOffset: segment.nextOffset)
            }
            return (highWatermarkValue, logStartOffsetValue, ranges)
        }
        for range in ranges {
            var scanner = BatchScanner(file: range.segment.log, from: range.startPosition, to: range.endPosition)
            scan: while true {
                switch try scanner.next() {
                case .end:
                    break scan
                case let .invalid(position, reason):
                    throw LogStorageError.corrupt("\(range.segment.log.path) at byte \(position): \(reason)")
                case let .batch(_, header):
                    guard header.maxTimestamp >= timestamp else { continue }
                    guard header.lastOffset < highWatermark else { return nil }
                    return (max(header.baseOffset, logStart), header.maxTimestamp)
                }
            }
        }
        return nil
    }
}
