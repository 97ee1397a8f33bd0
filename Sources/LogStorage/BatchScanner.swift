// Walks the batch headers of a segment file. Reads, lookups by time, index rebuilds and the
// producer-state rebuild only need the 61-byte headers, so the scanner reads the file in small
// windows and jumps from header to header; a window that already holds the next header saves
// the system call, so scanning many small batches costs one read per window, not per batch.
// Recovery also needs whole batches (to check their CRC); it asks for `batchBytes`.
import KafkaProtocol
import NIOCore

struct BatchScanner {
    enum Step {
        /// A well-formed header whose batch lies wholly before the scan's end.
        case batch(position: Int, header: RecordBatchHeader)
        /// The scan reached its end exactly.
        case end
        /// The bytes at `position` are not a whole batch: a torn tail or corruption.
        case invalid(position: Int, reason: String)
    }

    /// Bytes read per window; big enough that scanning small batches rarely needs a new read.
    static let windowBytes = 16 * 1024

    let file: FileDescriptor
    private(set) var position: Int
    let endPosition: Int
    private var window = ByteBuffer()
    private var windowStart = 0

    init(file: FileDescriptor, from position: Int, to endPosition: Int) {
        self.file = file
        self.position = position
        self.endPosition = endPosition
    }

    /// The header at the current position; moves past its batch.
    mutating func next() throws(LogStorageError) -> Step {
        guard position < endPosition else { return .end }
        let remaining = endPosition - position
        guard remaining >= RecordBatchHeader.size else {
            return .invalid(position: position, reason: "\(remaining) trailing bytes are shorter than a batch header")
        }
        try ensureWindow(covers: RecordBatchHeader.size, preferring: Self.windowBytes)
        let header: RecordBatchHeader
        do {
            header = try RecordBatchHeader.peek(in: window, at: position - windowStart)
        } catch {
            return .invalid(position: position, reason: error.description)
        }
        guard header.totalSize <= remaining else {
            return .invalid(
                position: position, reason: "batch of \(header.totalSize) bytes runs past the end (\(remaining) left)")
        }
        guard header.lastOffsetDelta >= 0 else {
            return .invalid(position: position, reason: "negative last offset delta \(header.lastOffsetDelta)")
        }
        let result = Step.batch(position: position, header: header)
        position += header.totalSize
        return result
    }

    /// The whole batch that `next()` just returned at `batchPosition`, as a view of the window
    /// (no copy when it fits; otherwise one read of exactly that batch).
    mutating func batchBytes(at batchPosition: Int, sizeBytes: Int) throws(LogStorageError) -> ByteBuffer {
        if batchPosition < windowStart || batchPosition + sizeBytes > windowStart + window.readableBytes {
            windowStart = batchPosition
            window.clear()
            let wanted = min(max(sizeBytes, Self.windowBytes), endPosition - batchPosition)
            try file.read(into: &window, count: wanted, at: batchPosition)
            guard window.readableBytes >= sizeBytes else {
                throw .corrupt("\(file.path) is shorter than its recorded size")
            }
        }
        return window.getSlice(at: window.readerIndex + batchPosition - windowStart, length: sizeBytes)!
    }

    private mutating func ensureWindow(covers bytes: Int, preferring preferredBytes: Int) throws(LogStorageError) {
        if position >= windowStart && position + bytes <= windowStart + window.readableBytes { return }
        windowStart = position
        window.clear()
        let wanted = min(max(bytes, preferredBytes), endPosition - position)
        try file.read(into: &window, count: wanted, at: position)
        guard window.readableBytes >= bytes else {
            throw .corrupt("\(file.path) is shorter than its recorded size")
        }
    }
}
