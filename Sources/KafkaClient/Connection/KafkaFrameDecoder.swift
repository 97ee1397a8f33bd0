// Cuts a TCP byte stream into Kafka frames: an int32 big-endian size, then that many bytes.
//
// The decoder hands each frame's payload (without the size) up the pipeline. A size that is
// negative or above `frameBytesMax` means the peer is not speaking Kafka (or is hostile), so the
// decoder throws instead of buffering gigabytes; the connection then closes with that error.
import NIOCore

struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Size prefix of every Kafka frame.
    static let sizePrefixBytes = 4

    /// Largest frame accepted from the peer.
    let frameBytesMax: Int

    init(frameBytesMax: Int) {
        self.frameBytesMax = frameBytesMax
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(in: &buffer, frameBytesMax: frameBytesMax) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// Reads one complete frame's payload, or returns nil (consuming nothing) when more bytes are needed.
    static func nextFrame(in buffer: inout ByteBuffer, frameBytesMax: Int) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0, Int(size) <= frameBytesMax else {
            throw KafkaError(
                kind: .protocolViolation, context: "reading a frame from the broker",
                detail: "frame size \(size) is outside 0...\(frameBytesMax)")
        }
        guard buffer.readableBytes >= sizePrefixBytes + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: sizePrefixBytes)
        return buffer.readSlice(length: Int(size))
    }
}
