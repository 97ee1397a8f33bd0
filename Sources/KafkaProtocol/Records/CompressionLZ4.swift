// lz4 (codec 3): the LZ4 frame format (lz4frame.h), which is what Kafka (magic 2) and
// librdkafka use. Any valid frame is read, including concatenated frames; frames are written
// with independent 64 KiB blocks and no content size, matching Kafka's own writer so Java
// readers that decode block by block can read them.
import CCodecs
import NIOCore

enum LZ4FrameCodec {
    static func compress(_ input: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) throws(RecordBatchError) {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var result = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            result = LZ4F_compressFrame(raw.baseAddress, raw.count, input.baseAddress, input.count, &preferences)
            return LZ4F_isError(result) != 0 ? 0 : result
        }
        guard LZ4F_isError(result) == 0 else { throw .compression("lz4: \(errorName(result))") }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(RecordBatchError) -> ByteBuffer {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else { throw .compression("lz4: \(errorName(created))") }
        defer { LZ4F_freeDecompressionContext(context) }
        var output = BoundedOutput(limit: limit, expectedBytes: input.count * 4)
        var position = 0
        while true {
            var hint = 0
            var consumed = 0
            var written = 0
            try output.write { raw in
                consumed = input.count - position
                written = raw.count
                hint = LZ4F_decompress(
                    context, raw.baseAddress, &written,
                    input.baseAddress.map { $0 + position }, &consumed, nil)
                return LZ4F_isError(hint) != 0 ? 0 : written
            }
            guard LZ4F_isError(hint) == 0 else { throw .compression("lz4: \(errorName(hint))") }
            position += consumed
            // 0 means a frame ended and all of it was flushed; another frame may follow.
            if hint == 0, position == input.count { return output.take() }
            if consumed == 0, written == 0, position == input.count {
                throw .compression("lz4 frame is truncated")
            }
        }
    }

    private static func errorName(_ code: Int) -> String {
        LZ4F_getErrorName(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
