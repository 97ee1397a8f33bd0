// One client connection. Kafka answers a connection's requests in the order they arrived, so
// requests are handled one after another: the next starts once the previous one has its
// response (a long-polling Fetch holds the ones behind it, as in Kafka). Responses are flushed
// when no more requests are queued, so pipelined requests share one write syscall.
//
// A frame that cannot be decoded closes this connection only; the broker keeps serving others.
import KafkaProtocol
import NIOCore

final class KafkaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let broker: KafkaBroker
    private var queue = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private var waitingForResponse = false
    private var closed = false
    private var remoteDescription = "?"
    /// Kafka's form of the peer address for group member descriptions: `/` and the IP.
    private var clientHost = "/"

    init(broker: KafkaBroker) {
        self.broker = broker
    }

    func channelActive(context: ChannelHandlerContext) {
        remoteDescription = context.remoteAddress.map { "\($0)" } ?? "?"
        clientHost = "/" + (context.remoteAddress?.ipAddress ?? "")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        queue.append(unwrapInboundIn(data))
        if !waitingForResponse { processQueue(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        queue.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        BrokerLog.warning("closing connection from \(remoteDescription): \(error)")
        closed = true
        context.close(promise: nil)
    }

    private func processQueue(context: ChannelHandlerContext) {
        var wroteSomething = false
        while !closed, !waitingForResponse, let frame = queue.popFirst() {
            switch handle(frame: frame, context: context) {
            case let .respond(response):
                context.write(wrapOutboundOut(response), promise: nil)
                wroteSomething = true
            case .noResponse:
                break
            case let .later(future):
                waitingForResponse = true
                if wroteSomething { context.flush() }
                wroteSomething = false
                // The completion runs on this channel's event loop (hop), where handler and
                // context may be used.
                let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
                future.hop(to: context.eventLoop).whenComplete { result in
                    let (handler, context) = bound.value
                    handler.waitingForResponse = false
                    guard !handler.closed else { return }
                    switch result {
                    case let .success(response):
                        context.writeAndFlush(handler.wrapOutboundOut(response), promise: nil)
                    case let .failure(error):
                        handler.errorCaught(context: context, error: error)
                        return
                    }
                    handler.processQueue(context: context)
                }
            }
        }
        if wroteSomething { context.flush() }
    }

    private func handle(frame: ByteBuffer, context: ChannelHandlerContext) -> HandlerOutcome {
        var frame = frame
        do {
            let header = try RequestHeader.decode(from: &frame)
            let requestContext = RequestContext(
                header: header, eventLoop: context.eventLoop, allocator: context.channel.allocator,
                clientHost: clientHost)
            return try broker.dispatch(body: &frame, context: requestContext)
        } catch {
            errorCaught(context: context, error: error)
            return .noResponse
        }
    }
}
