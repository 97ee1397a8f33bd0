// gzip (codec 1) through zlib. Kafka writes a gzip wrapper (RFC 1952); reading also accepts a
// zlib wrapper and concatenated gzip members, as Java's GZIPInputStream does.
import CCodecs
import NIOCore

enum GzipCodec {
    /// zlib window bits: 15 = 32 KiB window; +16 = gzip wrapper; +32 = detect gzip or zlib.
    static let windowBitsGzip: Int32 = 15 + 16
    static let windowBitsDetect: Int32 = 15 + 32
    static let memoryLevel: Int32 = 8

    static func compress(_ input: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) throws(RecordBatchError) {
        guard input.count <= Int(UInt32.max) else { throw .compression("gzip input of \(input.count) bytes is too big") }
        var stream = z_stream()
        var status = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBitsGzip, memoryLevel, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .compression("gzip deflateInit2 failed (\(status))") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            stream.next_out = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(min(raw.count, Int(UInt32.max)))
            status = deflate(&stream, Z_FINISH)
            return Int(stream.total_out)
        }
        guard status == Z_STREAM_END else { throw .compression("gzip deflate did not finish (\(status))") }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(RecordBatchError) -> ByteBuffer {
        guard input.count <= Int(UInt32.max) else { throw .compression("gzip input of \(input.count) bytes is too big") }
        var stream = z_stream()
        var status = inflateInit2_(&stream, windowBitsDetect, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .compression("gzip inflateInit2 failed (\(status))") }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var output = BoundedOutput(limit: limit, expectedBytes: input.count * 4)
        while true {
            try output.write { raw in
                stream.next_out = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(min(raw.count, Int(UInt32.max)))
                let before = stream.avail_out
                status = inflate(&stream, Z_NO_FLUSH)
                return Int(before - stream.avail_out)
            }
            switch status {
            case Z_STREAM_END:
                if stream.avail_in == 0 { return output.take() }
                // Another gzip member follows.
                inflateReset(&stream)
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress was possible although there was output room: the input ended early.
                throw .compression("gzip data is truncated")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw .compression("gzip: \(message)")
            }
        }
    }
}
