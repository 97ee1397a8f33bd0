// The channel handler behind one pooled HTTP/1.1 connection: it carries exactly one exchange at
// a time (the pool never hands a busy connection out, and HTTP/1.1 pipelining is not used), writes
// the request, gathers the answer's head and body up to the body limit, and completes the
// exchange's promise. It also owns the request timeout, so the promise is completed exactly once
// on the event loop whatever happens first: the answer, the timeout, a close or an error.
import NIOCore
import NIOHTTP1

/// A request written to a connection together with the promise its answer completes.
struct HTTPExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var promise: EventLoopPromise<HTTPExchangeResponse>
    var timeout: TimeAmount
    var responseBodyBytesMax: Int
}

struct HTTPExchangeResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// False when the server said it will close the connection (or spoke HTTP/1.0 without keep-alive).
    var keepsConnection: Bool
}

/// Why an exchange failed below the HTTP layer; the client turns these into its public error.
enum HTTPExchangeFailure: Error, Sendable, Equatable {
    /// The connection closed before any byte of the answer; on a reused connection this is
    /// usually the server's idle timeout racing our request, and is safe to try again.
    case closedBeforeResponse
    case closedDuringResponse
    case timedOut
    case bodyTooLarge(bytesMax: Int)
    case connectionBusy
    case transport(String)
}

final class RegistryHTTPHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private struct Pending {
        var promise: EventLoopPromise<HTTPExchangeResponse>
        var bodyBytesMax: Int
        var head: HTTPResponseHead?
        var body: ByteBuffer?
        var timeout: Scheduled<Void>?
    }

    private var pending: Pending?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.promise.fail(HTTPExchangeFailure.connectionBusy)
            promise?.fail(HTTPExchangeFailure.connectionBusy)
            return
        }
        pending = Pending(promise: exchange.promise, bodyBytesMax: exchange.responseBodyBytesMax)
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        pending?.timeout = context.eventLoop.assumeIsolated().scheduleTask(in: exchange.timeout) { [self] in
            self.fail(HTTPExchangeFailure.timedOut, context: loopBoundContext.value)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard pending != nil else {
            // An answer nobody asked for: the connection's framing can no longer be trusted.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            pending?.head = head
        case .body(var part):
            let received = (pending?.body?.readableBytes ?? 0) + part.readableBytes
            guard let bytesMax = pending?.bodyBytesMax, received <= bytesMax else {
                fail(.bodyTooLarge(bytesMax: pending?.bodyBytesMax ?? 0), context: context)
                return
            }
            if pending?.body == nil {
                pending?.body = part
            } else {
                pending?.body?.writeBuffer(&part)
            }
        case .end:
            guard let finished = pending, let head = finished.head else {
                fail(.transport("the answer ended before its status line"), context: context)
                return
            }
            pending = nil
            finished.timeout?.cancel()
            finished.promise.succeed(
                HTTPExchangeResponse(
                    status: head.status, headers: head.headers, body: finished.body ?? ByteBuffer(),
                    keepsConnection: head.isKeepAlive))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let current = pending {
            fail(current.head == nil ? .closedBeforeResponse : .closedDuringResponse, context: context)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.transport(String(describing: error)), context: context)
    }

    /// Fails the exchange in progress (if any) and closes the connection, which is never reused
    /// after a failure because its framing state is unknown.
    private func fail(_ failure: HTTPExchangeFailure, context: ChannelHandlerContext) {
        if let current = pending {
            pending = nil
            current.timeout?.cancel()
            current.promise.fail(failure)
        }
        context.close(promise: nil)
    }
}
