// Transport failures over real sockets: a listener that accepts and never answers (the request
// timeout must fire and the connection be dropped), and one that hangs up on every connection
// (a typed connectionClosed error after the retries, never a hang or a crash).
import NIOCore
import NIOPosix
import Testing

@testable import SchemaRegistryClient

/// Accepts connections and either stays silent or closes each one at once.
private final class MisbehavingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let closesAtOnce: Bool
    init(closesAtOnce: Bool) { self.closesAtOnce = closesAtOnce }

    func channelActive(context: ChannelHandlerContext) {
        if closesAtOnce { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

private func withListener(closesAtOnce: Bool, _ body: (Int) async throws -> Void) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(MisbehavingHandler(closesAtOnce: closesAtOnce))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    do {
        try await body(port)
    } catch {
        try? await channel.close()
        throw error
    }
    try? await channel.close()
}

@Suite struct TransportFailureTests {
    @Test func silentServerTimesOut() async throws {
        try await withListener(closesAtOnce: false) { port in
            var configuration = try SchemaRegistryClientConfiguration(url: "http://127.0.0.1:\(port)")
            configuration.requestTimeoutMilliseconds = 200
            configuration.retriesMax = 0
            let client = try SchemaRegistryClient(configuration: configuration)
            let error = try #require(await registryFailure { () async throws(SchemaRegistryClientError) in try await client.subjects() })
            #expect(error.kind == .timedOut)
            #expect(error.request == "GET /subjects")
            #expect(error.isRetriable)
            await client.shutdown()
        }
    }

    @Test func hangingUpServerGivesConnectionClosedAfterRetries() async throws {
        try await withListener(closesAtOnce: true) { port in
            var configuration = try SchemaRegistryClientConfiguration(url: "http://127.0.0.1:\(port)/prefix")
            configuration.retriesMax = 2
            configuration.retryBackoffMilliseconds = 1
            let client = try SchemaRegistryClient(configuration: configuration)
            let error = try #require(await registryFailure { () async throws(SchemaRegistryClientError) in try await client.schema(id: 1) })
            #expect(error.kind == .connectionClosed)
            #expect(error.request == "GET /prefix/schemas/ids/1")
            #expect(await client.statistics.exchangesStarted == 3, "one attempt and two retries")
            await client.shutdown()
        }
    }

    @Test func callsAfterShutdownFailWithShutDown() async throws {
        let client = try SchemaRegistryClient(url: "http://127.0.0.1:1")
        await client.shutdown()
        do {
            _ = try await client.subjects()
            Issue.record("a shut-down client sent a request")
        } catch {
            #expect(error.kind == .shutDown)
        }
    }
}

/// The error `body` fails with; nil (and a recorded issue) when it succeeds.
func registryFailure<T>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws(SchemaRegistryClientError) -> T
) async -> SchemaRegistryClientError? {
    do {
        _ = try await body()
        Issue.record("expected a registry client error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
