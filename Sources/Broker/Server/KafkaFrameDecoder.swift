// Splits a connection's byte stream into Kafka request frames: an int32 size, then that many
// bytes. A negative size or one above `socket.request.max.bytes` is an error that closes this
// connection only (Kafka does the same); the bytes of a frame are never buffered past the limit.
import NIOCore

struct FrameTooLargeError: Error, CustomStringConvertible {
    let size: Int32
    let limit: Int
    var description: String {
        size < 0
            ? "request frame has a negative size (\(size)); not a Kafka client?"
            : "request frame of \(size) bytes exceeds socket.request.max.bytes (\(limit))"
    }
}

struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxFrameBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size: Int32 = buffer.getInteger(at: buffer.readerIndex) else { return .needMoreData }
        guard size >= 0, Int(size) <= maxFrameBytes else { throw FrameTooLargeError(size: size, limit: maxFrameBytes) }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(size))!
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A partial frame at EOF is dropped: the client went away mid-request.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
