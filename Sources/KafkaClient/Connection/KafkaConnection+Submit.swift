// Requests written at once, in call order, with the answer delivered as a future.
//
// `send` suspends before it writes, so two tasks that call it one after the other may reach
// the wire in either order. An idempotent producer pipelines up to five batches of a partition
// and needs them on the wire in sequence order: it calls `submit` from its actor, one batch
// after another, and each call hands its frame to the channel before returning. NIO runs
// writes from outside the event loop in the order they were handed over, and the connection's
// `RequestPipeline` keeps that order for requests that wait for a free slot.
import KafkaProtocol
import NIOCore

extension KafkaConnection {
    /// Writes `request` now at the negotiated version; the future carries the answer (or a
    /// `KafkaError`). Calls made one after another reach the broker in that order.
    /// `frameBytesHint` sizes the frame buffer up front (a produce request's records), so a
    /// large request is not copied again and again as the buffer grows.
    public func submit<Request: KafkaRequest>(
        _ request: Request, frameBytesHint: Int = 256
    ) throws(KafkaError) -> EventLoopFuture<Request.Response> {
        let version = try version(for: Request.self)
        let name = "\(host):\(port)"
        let context = "sending \(Request.apiKey) v\(version) to \(name)"
        return startExchange(request, version: version, expectsResponse: true, context: context, frameBytesHint: frameBytesHint)
            .flatMapThrowing { payload throws -> Request.Response in
                var payload = payload
                do {
                    if Request.apiKey.responseHeaderVersion(apiVersion: version) >= 1 {
                        _ = try payload.readKafkaUnknownTaggedFields(what: "ResponseHeader.taggedFields")
                    }
                    return try Request.Response(from: &payload, version: version)
                } catch {
                    throw KafkaError(
                        kind: .protocolViolation, context: "decoding \(Request.apiKey) v\(version) answer from \(name)",
                        detail: "\(error)")
                }
            }
    }

    /// Writes a request the broker does not answer (Produce with acks=0); the future completes
    /// once it is written.
    public func submitWithoutResponse<Request: KafkaRequest>(
        _ request: Request, frameBytesHint: Int = 256
    ) throws(KafkaError) -> EventLoopFuture<Void> {
        let version = try version(for: Request.self)
        let context = "sending \(Request.apiKey) v\(version) to \(host):\(port)"
        return startExchange(request, version: version, expectsResponse: false, context: context, frameBytesHint: frameBytesHint)
            .map { _ in () }
    }

    private func startExchange<Request: KafkaRequest>(
        _ request: Request, version: Int16, expectsResponse: Bool, context: String, frameBytesHint: Int
    ) -> EventLoopFuture<ByteBuffer> {
        let header = RequestHeader(
            apiKey: Request.apiKey.rawValue, apiVersion: version, correlationId: 0, clientId: configuration.clientId)
        var frame = channel.allocator.buffer(capacity: max(256, frameBytesHint))
        frame.writeInteger(Int32(0))
        header.encode(into: &frame)
        request.encode(into: &frame, version: version)
        frame.setInteger(Int32(frame.readableBytes - KafkaFrameDecoder.sizePrefixBytes), at: frame.readerIndex)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let outgoing = OutgoingRequest(
            frame: frame, expectsResponse: expectsResponse,
            timeout: .milliseconds(configuration.requestTimeoutMilliseconds), promise: promise)
        channel.writeAndFlush(outgoing).whenFailure { error in
            promise.fail(KafkaError(kind: .connectionClosed, context: context, detail: "\(error)"))
        }
        return promise.futureResult.flatMapErrorThrowing { error in
            if let error = error as? KafkaError {
                throw KafkaError(kind: error.kind, code: error.code, context: context, detail: error.detail ?? error.context)
            }
            throw KafkaError(kind: .connectionClosed, context: context, detail: "\(error)")
        }
    }
}
