// zstd (codec 4) through libzstd's streaming API. The frame content size in the header is
// optional and written by the sender, so it is never used to size the output: decoding
// streams into a bounded buffer until the frame (or frames) end.
import CCodecs
import NIOCore

enum ZstdCodec {
    /// Level 3 is zstd's default and what Kafka and librdkafka use unless configured.
    static let compressionLevel: Int32 = 3
    /// Decoder window bounds (log2 bytes): 8 MiB floor, 128 MiB (zstd's default limit) ceiling.
    static let windowLogFloor: Int32 = 23
    static let windowLogCeiling: Int32 = 27

    static func compress(_ input: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) throws(RecordBatchError) {
        let bound = ZSTD_compressBound(input.count)
        var result = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            result = ZSTD_compress(raw.baseAddress, raw.count, input.baseAddress, input.count, compressionLevel)
            return ZSTD_isError(result) != 0 ? 0 : result
        }
        guard ZSTD_isError(result) == 0 else { throw .compression("zstd: \(errorName(result))") }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(RecordBatchError) -> ByteBuffer {
        guard let stream = ZSTD_createDStream() else { throw .compression("zstd: cannot create a stream") }
        defer { ZSTD_freeDStream(stream) }
        let initialized = ZSTD_initDStream(stream)
        guard ZSTD_isError(initialized) == 0 else { throw .compression("zstd: \(errorName(initialized))") }
        // The frame header chooses the window the decoder allocates. Cap it near the output
        // limit (a window bigger than the output is never needed), but not below 8 MiB, which
        // covers windows that streaming compressors pick without knowing the input size.
        let limitBits = Int32(Int.bitWidth - max(limit, 1).leadingZeroBitCount)
        let windowLogMax = min(windowLogCeiling, max(windowLogFloor, limitBits))
        let configured = ZSTD_DCtx_setParameter(stream, ZSTD_d_windowLogMax, windowLogMax)
        guard ZSTD_isError(configured) == 0 else { throw .compression("zstd: \(errorName(configured))") }
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var output = BoundedOutput(limit: limit, expectedBytes: input.count * 4)
        while true {
            var result = 0
            var written = 0
            let positionBefore = source.pos
            try output.write { raw in
                var destination = ZSTD_outBuffer(dst: raw.baseAddress, size: raw.count, pos: 0)
                result = ZSTD_decompressStream(stream, &destination, &source)
                written = destination.pos
                return ZSTD_isError(result) != 0 ? 0 : written
            }
            guard ZSTD_isError(result) == 0 else { throw .compression("zstd: \(errorName(result))") }
            // 0 means a frame ended and was fully flushed; another frame may follow.
            if result == 0, source.pos == source.size { return output.take() }
            if written == 0, source.pos == positionBefore, source.pos == source.size {
                throw .compression("zstd frame is truncated")
            }
        }
    }

    private static func errorName(_ code: Int) -> String {
        ZSTD_getErrorName(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
