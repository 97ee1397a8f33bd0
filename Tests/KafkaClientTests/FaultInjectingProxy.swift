// A TCP proxy between a client and a real broker that cuts connections at chosen moments.
//
// It forwards Kafka frames both ways unchanged. It remembers the API key of every request by
// correlation id, counts Produce answers across all connections, and when the count reaches
// one of `cutAtProduceAnswers` it drops that answer and closes both sides instead. The broker
// has then stored the batch (and perhaps the ones pipelined behind it), but the client never
// hears so: exactly the lost-answer case an idempotent producer must survive without storing
// a batch twice. The broker is the real one; only the network between them misbehaves.
import Foundation
import KafkaProtocol
import NIOCore
import NIOPosix
import Synchronization

final class FaultInjectingProxy: Sendable {
    /// Counters and the cut plan, shared by every connection's handlers.
    final class Shared: Sendable {
        struct Counts {
            var upstreamPort = 0
            var cutAtProduceAnswers: Set<Int> = []
            var produceAnswers = 0
            var produceRequests = 0
            var cuts = 0
            /// Most Produce requests one connection had unanswered at once.
            var produceInFlightMax = 0
        }
        let counts = Mutex(Counts())

        /// Counts one Produce answer; true when it is one to cut at.
        func produceAnswerArrived() -> Bool {
            counts.withLock { counts in
                counts.produceAnswers += 1
                guard counts.cutAtProduceAnswers.contains(counts.produceAnswers) else { return false }
                counts.cuts += 1
                return true
            }
        }
    }

    private let shared = Shared()
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let serverChannel: any Channel

    var port: Int { serverChannel.localAddress?.port ?? 0 }
    /// Produce requests forwarded to the broker (retries included).
    var produceRequests: Int { shared.counts.withLock { $0.produceRequests } }
    var cuts: Int { shared.counts.withLock { $0.cuts } }
    var produceInFlightMax: Int { shared.counts.withLock { $0.produceInFlightMax } }

    init() async throws {
        let shared = self.shared
        let group = self.group
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let upstreamPort = shared.counts.withLock { $0.upstreamPort }
                return ClientBootstrap(group: group).connect(host: "127.0.0.1", port: upstreamPort).flatMap { upstream in
                    let correlations = CorrelationTable()
                    return inbound.eventLoop.makeCompletedFuture {
                        try inbound.pipeline.syncOperations.addHandler(ByteToMessageHandler(WholeFrameDecoder()))
                        try inbound.pipeline.syncOperations.addHandler(
                            RequestForwarder(upstream: upstream, correlations: correlations, shared: shared))
                        try upstream.pipeline.syncOperations.addHandler(ByteToMessageHandler(WholeFrameDecoder()))
                        try upstream.pipeline.syncOperations.addHandler(
                            AnswerForwarder(client: inbound, correlations: correlations, shared: shared))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Points the proxy at the broker (known only after the broker, which advertises the
    /// proxy's port, has started).
    func setUpstream(port: Int) {
        shared.counts.withLock { $0.upstreamPort = port }
    }

    /// Cut the connection instead of forwarding the n-th Produce answer (counted from 1).
    func cut(atProduceAnswers answers: Set<Int>) {
        shared.counts.withLock { $0.cutAtProduceAnswers = answers }
    }

    func shutdown() async {
        try? await serverChannel.close()
        try? await group.shutdownGracefully()
    }

    /// Which API each in-flight request of one client connection called.
    private final class CorrelationTable: Sendable {
        let apiKeys = Mutex([Int32: Int16]())
    }

    /// Splits a stream into whole frames, size prefix included.
    private struct WholeFrameDecoder: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer
        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self), size >= 0 else { return .needMoreData }
            guard let frame = buffer.readSlice(length: 4 + Int(size)) else { return .needMoreData }
            context.fireChannelRead(NIOAny(frame))
            return .continue
        }
    }

    private final class RequestForwarder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let upstream: any Channel
        let correlations: CorrelationTable
        let shared: Shared

        init(upstream: any Channel, correlations: CorrelationTable, shared: Shared) {
            self.upstream = upstream
            self.correlations = correlations
            self.shared = shared
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            // Request header: size(4), api key(2), api version(2), correlation id(4).
            if let apiKey = frame.getInteger(at: frame.readerIndex + 4, as: Int16.self),
                let correlationId = frame.getInteger(at: frame.readerIndex + 8, as: Int32.self)
            {
                let produceInFlight = correlations.apiKeys.withLock { table in
                    table[correlationId] = apiKey
                    return table.values.reduce(0) { $0 + ($1 == ApiKey.produce.rawValue ? 1 : 0) }
                }
                if apiKey == ApiKey.produce.rawValue {
                    shared.counts.withLock { counts in
                        counts.produceRequests += 1
                        counts.produceInFlightMax = max(counts.produceInFlightMax, produceInFlight)
                    }
                }
            }
            upstream.writeAndFlush(frame, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            upstream.close(promise: nil)
            context.fireChannelInactive()
        }
    }

    private final class AnswerForwarder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let client: any Channel
        let correlations: CorrelationTable
        let shared: Shared

        init(client: any Channel, correlations: CorrelationTable, shared: Shared) {
            self.client = client
            self.correlations = correlations
            self.shared = shared
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            // Answer header: size(4), correlation id(4).
            if let correlationId = frame.getInteger(at: frame.readerIndex + 4, as: Int32.self),
                correlations.apiKeys.withLock({ $0.removeValue(forKey: correlationId) }) == ApiKey.produce.rawValue,
                shared.produceAnswerArrived()
            {
                // Drop the answer and cut both sides: the broker stored the batch, the client never hears.
                client.close(promise: nil)
                context.close(promise: nil)
                return
            }
            client.writeAndFlush(frame, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            client.close(promise: nil)
            context.fireChannelInactive()
        }
    }
}
