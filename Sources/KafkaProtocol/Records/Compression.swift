// Compression of record batch bodies (the bytes after the 61-byte header) for every Kafka
// codec, through the system libraries bound by the CCodecs module.
//
// Decompression never trusts sizes written by the sender: every codec streams into a
// `BoundedOutput` that stops at a caller-given byte limit, so a small compressed body that
// claims (or really expands to) gigabytes ends in `.decompressedSizeLimitExceeded`, not in an
// allocation of that size.
import NIOCore

public enum Compression {
    /// Default cap on one decompressed batch body. Kafka's default max message size is about
    /// 1 MiB compressed; 64 MiB leaves room for highly compressible batches while bounding
    /// what a hostile batch can make us allocate.
    public static let decompressedBytesMaxDefault = 64 * 1024 * 1024

    /// Appends `bytes` compressed with `codec` to `buffer` (for `.none`, the bytes as they are).
    /// Snappy is written raw (as librdkafka does); lz4 as an LZ4 frame with independent
    /// 64 KiB blocks; gzip with a gzip wrapper; zstd as one zstd frame.
    public static func compress(
        _ bytes: UnsafeRawBufferPointer, codec: CompressionCodec, into buffer: inout ByteBuffer
    ) throws(RecordBatchError) {
        switch codec {
        case .none: buffer.writeBytes(bytes)
        case .gzip: try GzipCodec.compress(bytes, into: &buffer)
        case .snappy: try SnappyCodec.compress(bytes, into: &buffer)
        case .lz4: try LZ4FrameCodec.compress(bytes, into: &buffer)
        case .zstd: try ZstdCodec.compress(bytes, into: &buffer)
        }
    }

    /// The readable bytes of `input` compressed with `codec`.
    public static func compress(_ input: ByteBuffer, codec: CompressionCodec) throws(RecordBatchError) -> ByteBuffer {
        var output = ByteBufferAllocator().buffer(capacity: input.readableBytes / 2 + 64)
        let result = input.withUnsafeReadableBytes { raw in
            Result { () throws(RecordBatchError) in try compress(raw, codec: codec, into: &output) }
        }
        try result.get()
        return output
    }

    /// `bytes` decompressed with `codec`; throws `.decompressedSizeLimitExceeded` rather than
    /// produce more than `decompressedBytesMax` bytes. Snappy accepts raw and xerial-framed
    /// data; lz4, gzip and zstd accept concatenated frames/members.
    public static func decompress(
        _ bytes: UnsafeRawBufferPointer, codec: CompressionCodec,
        decompressedBytesMax: Int = decompressedBytesMaxDefault
    ) throws(RecordBatchError) -> ByteBuffer {
        switch codec {
        case .none:
            guard bytes.count <= decompressedBytesMax else {
                throw .decompressedSizeLimitExceeded(limit: decompressedBytesMax)
            }
            var output = ByteBufferAllocator().buffer(capacity: bytes.count)
            output.writeBytes(bytes)
            return output
        case .gzip: return try GzipCodec.decompress(bytes, limit: decompressedBytesMax)
        case .snappy: return try SnappyCodec.decompress(bytes, limit: decompressedBytesMax)
        case .lz4: return try LZ4FrameCodec.decompress(bytes, limit: decompressedBytesMax)
        case .zstd: return try ZstdCodec.decompress(bytes, limit: decompressedBytesMax)
        }
    }

    /// The readable bytes of `input` decompressed with `codec` (see the raw-pointer overload).
    public static func decompress(
        _ input: ByteBuffer, codec: CompressionCodec, decompressedBytesMax: Int = decompressedBytesMaxDefault
    ) throws(RecordBatchError) -> ByteBuffer {
        let result = input.withUnsafeReadableBytes { raw in
            Result { () throws(RecordBatchError) in
                try decompress(raw, codec: codec, decompressedBytesMax: decompressedBytesMax)
            }
        }
        return try result.get()
    }
}

/// A growing output buffer that refuses to hold more than `limit` bytes. It hands codecs room
/// for at most `limit + 1` bytes, so "the data is exactly `limit` bytes long" and "the data is
/// longer than `limit`" can be told apart without trusting any declared size.
struct BoundedOutput {
    /// The first allocation, when the codec gives no better estimate.
    static let initialCapacityBytes = 16 * 1024

    private(set) var buffer: ByteBuffer
    let limit: Int

    init(limit: Int, expectedBytes: Int) {
        self.limit = max(limit, 0)
        let capacity = min(self.limit + 1, max(expectedBytes, Self.initialCapacityBytes))
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    var hasExceededLimit: Bool { buffer.writerIndex - buffer.readerIndex > limit }

    /// Calls `body` with non-empty writable room; `body` returns how many bytes it wrote.
    mutating func write(_ body: (UnsafeMutableRawBufferPointer) -> Int) throws(RecordBatchError) {
        let written = buffer.readableBytes
        let roomLeft = limit + 1 - written
        guard roomLeft > 0 else { throw .decompressedSizeLimitExceeded(limit: limit) }
        if buffer.writableBytes == 0 {
            // Double, but never past the limit (+1 to detect overflow).
            buffer.reserveCapacity(minimumWritableBytes: min(max(written, Self.initialCapacityBytes), roomLeft))
        }
        let room = min(buffer.writableBytes, roomLeft)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { raw in
            body(UnsafeMutableRawBufferPointer(rebasing: raw[0..<room]))
        }
        guard !hasExceededLimit else { throw .decompressedSizeLimitExceeded(limit: limit) }
    }

    /// Makes room for `count` more bytes in one piece (for codecs that cannot write in parts).
    mutating func reserve(_ count: Int) throws(RecordBatchError) {
        guard count <= limit + 1 - buffer.readableBytes else { throw .decompressedSizeLimitExceeded(limit: limit) }
        buffer.reserveCapacity(minimumWritableBytes: count)
    }

    mutating func take() -> ByteBuffer { buffer }
}
