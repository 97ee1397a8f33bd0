// The channel handler of one Kafka connection: it stamps correlation ids on outgoing frames,
// arms per-request timeouts and completes each request's promise when its answer arrives.
//
// All decisions (which id, which request to write next, which answer belongs to whom) are made
// by `RequestPipeline`; this handler only carries them out on the event loop.
import NIOCore

/// A request frame on its way to the handler. The frame starts with the 4-byte size prefix; the
/// correlation id slot (bytes 8..<12) is overwritten by the handler.
struct OutgoingRequest: Sendable {
    /// Byte position of the correlation id in a framed request: size(4) + api key(2) + api version(2).
    static let correlationIdOffset = 8

    var frame: ByteBuffer
    var expectsResponse: Bool
    var timeout: TimeAmount
    /// Completed with the answer's bytes after the correlation id, or with an empty buffer
    /// once written when `expectsResponse` is false.
    var promise: EventLoopPromise<ByteBuffer>
}

final class KafkaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutgoingRequest
    typealias OutboundOut = ByteBuffer

    struct Pending {
        var promise: EventLoopPromise<ByteBuffer>
        var timeoutTask: Scheduled<Void>?
    }

    private var pipeline: RequestPipeline<Pending>
    private let connectionName: String
    /// Answers that arrived for requests that had already timed out.
    private(set) var lateAnswerCount = 0

    init(maxInFlightRequests: Int, connectionName: String) {
        self.pipeline = RequestPipeline(maxInFlightRequests: maxInFlightRequests)
        self.connectionName = connectionName
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        var request = unwrapOutboundIn(data)
        writePromise?.succeed()
        if pipeline.isClosed {
            request.promise.fail(
                KafkaError(kind: .connectionClosed, context: "sending a request to \(connectionName)"))
            return
        }
        let correlationId = pipeline.allocateCorrelationId()
        request.frame.setInteger(
            correlationId, at: request.frame.readerIndex + OutgoingRequest.correlationIdOffset)
        let timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) {
            [weak self] () -> Void in
            self?.requestTimedOut(correlationId: correlationId, context: context)
        }
        let entry = RequestPipeline<Pending>.Entry(
            correlationId: correlationId, frame: request.frame,
            expectsResponse: request.expectsResponse,
            pending: Pending(promise: request.promise, timeoutTask: timeoutTask))
        switch pipeline.submit(entry) {
        case .write(let entry):
            writeEntries([entry], context: context)
        case .wait:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let correlationId = frame.readInteger(as: Int32.self) else {
            fail(
                KafkaError(
                    kind: .protocolViolation, context: "reading an answer from \(connectionName)",
                    detail: "frame shorter than a correlation id"),
                context: context)
            return
        }
        switch pipeline.receive(correlationId: correlationId) {
        case .deliver(let pending, let next):
            pending.timeoutTask?.cancel()
            pending.promise.succeed(frame)
            writeEntries(next, context: context)
        case .ignore:
            lateAnswerCount += 1
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KafkaError(kind: .connectionClosed, context: "waiting for an answer from \(connectionName)"))
        context.fireChannelInactive()
    }

    private func requestTimedOut(correlationId: Int32, context: ChannelHandlerContext) {
        guard let (pending, next) = pipeline.timeOut(correlationId: correlationId) else { return }
        pending.promise.fail(
            KafkaError(
                kind: .timedOut, context: "waiting for an answer from \(connectionName)",
                detail: "request \(correlationId) got no answer in time"))
        writeEntries(next, context: context)
    }

    private func writeEntries(_ entries: [RequestPipeline<Pending>.Entry], context: ChannelHandlerContext) {
        guard !entries.isEmpty else { return }
        var pendingFireAndForget: [Pending] = []
        for entry in entries {
            context.write(wrapOutboundOut(entry.frame), promise: nil)
            if !entry.expectsResponse {
                pendingFireAndForget.append(entry.pending)
            }
        }
        context.flush()
        for pending in pendingFireAndForget {
            pending.timeoutTask?.cancel()
            pending.promise.succeed(ByteBuffer())
        }
        if !pendingFireAndForget.isEmpty {
            writeEntries(pipeline.releaseAfterWrite(), context: context)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        for pending in pipeline.close() {
            pending.timeoutTask?.cancel()
            pending.promise.fail(error)
        }
    }
}
