// snappy (codec 2). librdkafka writes raw snappy; the Java client writes xerial's framing
// (magic, version, compatible version, then int32-length-prefixed raw blocks). Both are read;
// raw snappy is written, which Java's xerial reader also accepts.
import CCodecs
import NIOCore

enum SnappyCodec {
    /// `\x82SNAPPY\x00`, the first 8 bytes of xerial framing.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Magic + int32 version + int32 compatible version.
    static let xerialHeaderBytes = 16
    static let xerialBlockLengthBytes = 4

    static func compress(_ input: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) throws(RecordBatchError) {
        let bound = snappy_max_compressed_length(input.count)
        var status = SNAPPY_OK
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            var length = raw.count
            status = snappy_compress(
                input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                raw.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            return status == SNAPPY_OK ? length : 0
        }
        guard status == SNAPPY_OK else { throw .compression("snappy compress failed (\(status.rawValue))") }
    }

    static func isXerialFramed(_ input: UnsafeRawBufferPointer) -> Bool {
        input.count >= xerialHeaderBytes && input.prefix(xerialMagic.count).elementsEqual(xerialMagic)
    }

    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(RecordBatchError) -> ByteBuffer {
        guard isXerialFramed(input) else {
            var output = BoundedOutput(limit: limit, expectedBytes: 0)
            try decompressBlock(input, into: &output)
            return output.take()
        }
        var output = BoundedOutput(limit: limit, expectedBytes: input.count * 2)
        var position = xerialHeaderBytes
        while position < input.count {
            guard input.count - position >= xerialBlockLengthBytes else {
                throw .compression("xerial snappy block length is truncated")
            }
            var blockLength = 0
            for index in 0..<xerialBlockLengthBytes {
                blockLength = blockLength << 8 | Int(input[position + index])
            }
            position += xerialBlockLengthBytes
            guard blockLength <= input.count - position else {
                throw .compression("xerial snappy block of \(blockLength) bytes runs past the data")
            }
            try decompressBlock(UnsafeRawBufferPointer(rebasing: input[position..<(position + blockLength)]), into: &output)
            position += blockLength
        }
        return output.take()
    }

    /// Decompresses one raw snappy block, checking its declared length against the limit
    /// before allocating (and snappy then refuses to write more than it declared).
    private static func decompressBlock(
        _ block: UnsafeRawBufferPointer, into output: inout BoundedOutput
    ) throws(RecordBatchError) {
        let source = block.baseAddress?.assumingMemoryBound(to: CChar.self)
        var declared = 0
        guard snappy_uncompressed_length(source, block.count, &declared) == SNAPPY_OK else {
            throw .compression("snappy block header is invalid")
        }
        let alreadyWritten = output.buffer.readableBytes
        guard declared <= output.limit - alreadyWritten else {
            throw .decompressedSizeLimitExceeded(limit: output.limit)
        }
        guard declared > 0 else { return }
        var status = SNAPPY_OK
        var remaining = declared
        // Room may come in pieces; snappy needs the whole block at once, so ask for it first.
        try output.reserve(declared)
        try output.write { raw in
            guard raw.count >= remaining else {
                status = SNAPPY_BUFFER_TOO_SMALL
                return 0
            }
            status = snappy_uncompress(source, block.count, raw.baseAddress?.assumingMemoryBound(to: CChar.self), &remaining)
            return status == SNAPPY_OK ? remaining : 0
        }
        guard status == SNAPPY_OK else { throw .compression("snappy data is invalid (\(status.rawValue))") }
    }
}
