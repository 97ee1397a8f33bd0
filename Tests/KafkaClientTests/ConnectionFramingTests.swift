// Framing, correlation and timeout tests for KafkaConnection against an in-process echo server.
//
// The server is not a broker: it reads a request frame, takes the first int32 of the body as an
// instruction (milliseconds to wait before answering; -1 = never answer; -2 = close the
// connection) and answers with the request's correlation id followed by the rest of the body.
// That is enough to check pipelining, out-of-order answers, timeouts and closes.
import KafkaProtocol
import NIOCore
import NIOPosix
import Testing

@testable import KafkaClient

private final class EchoServerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let header = try? RequestHeader.decode(from: &frame), let instruction = frame.readInteger(as: Int32.self) else {
            context.close(promise: nil)
            return
        }
        var answer = context.channel.allocator.buffer(capacity: frame.readableBytes + 8)
        answer.writeInteger(Int32(4 + frame.readableBytes))
        answer.writeInteger(header.correlationId)
        answer.writeBuffer(&frame)
        switch instruction {
        case -1:
            return
        case -2:
            context.close(promise: nil)
        case 0:
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
        default:
            let channel = context.channel
            let answer = answer
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(instruction))) {
                channel.writeAndFlush(answer, promise: nil)
            }
        }
    }
}

private struct EchoServer {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> EchoServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(KafkaFrameDecoder(frameBytesMax: 1 << 20)))
                    try channel.pipeline.syncOperations.addHandler(EchoServerHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return EchoServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

private func connect(to server: EchoServer, timeoutMilliseconds: Int64 = 5_000, maxInFlightRequests: Int = 16) async throws
    -> KafkaConnection
{
    var configuration = KafkaConnection.Configuration()
    configuration.requestTimeoutMilliseconds = timeoutMilliseconds
    configuration.maxInFlightRequests = maxInFlightRequests
    return try await KafkaConnection.connect(
        host: "127.0.0.1", port: server.port, configuration: configuration,
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton, negotiateVersions: false)
}

/// Sends `payload` with the server instruction in front and returns what came back.
private func echo(_ connection: KafkaConnection, instruction: Int32, payload: String) async throws(KafkaError) -> String {
    var answer = try await connection.sendRaw(apiKey: .metadata, version: 1) { buffer in
        buffer.writeInteger(instruction)
        buffer.writeString(payload)
    }
    return answer.readString(length: answer.readableBytes) ?? ""
}

@Suite struct ConnectionFramingTests {
    @Test func roundTripReturnsTheBodyAfterTheCorrelationId() async throws {
        let server = try await EchoServer.start()
        let connection = try await connect(to: server)
        #expect(try await echo(connection, instruction: 0, payload: "hello") == "hello")
        #expect(try await echo(connection, instruction: 0, payload: String(repeating: "x", count: 100_000)).count == 100_000)
        await connection.close()
        await server.stop()
    }

    @Test func pipelinedAnswersArrivingOutOfOrderReachTheirCallers() async throws {
        let server = try await EchoServer.start()
        let connection = try await connect(to: server)
        // The first request is answered last: matching must use correlation ids, not order.
        let delays: [Int32] = [80, 0, 40, 10, 0]
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, delay) in delays.enumerated() {
                group.addTask { (index, try await echo(connection, instruction: delay, payload: "request-\(index)")) }
            }
            var answers: [Int: String] = [:]
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        for index in delays.indices {
            #expect(answers[index] == "request-\(index)")
        }
        await connection.close()
        await server.stop()
    }

    @Test func aQueuedWindowStillAnswersEveryRequest() async throws {
        let server = try await EchoServer.start()
        let connection = try await connect(to: server, maxInFlightRequests: 2)
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<10 {
                group.addTask { try await echo(connection, instruction: 5, payload: "r\(index)") }
            }
            var answers: Set<String> = []
            for try await answer in group { answers.insert(answer) }
            return answers
        }
        #expect(answers == Set((0..<10).map { "r\($0)" }))
        await connection.close()
        await server.stop()
    }

    @Test func aRequestWithoutAnswerTimesOutAndTheConnectionKeepsWorking() async throws {
        let server = try await EchoServer.start()
        // 500 ms, not less: the next request must be answered within it while the whole suite runs.
        let connection = try await connect(to: server, timeoutMilliseconds: 500)
        do {
            _ = try await echo(connection, instruction: -1, payload: "lost")
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timedOut)
            #expect(error.isRetriable)
        }
        // A late answer (1500 ms > 500 ms timeout) is dropped; the next request still works.
        await #expect(throws: KafkaError.self) { try await echo(connection, instruction: 1500, payload: "late") }
        #expect(try await echo(connection, instruction: 0, payload: "next") == "next")
        await connection.close()
        await server.stop()
    }

    @Test func fireAndForgetReturnsOnceWritten() async throws {
        let server = try await EchoServer.start()
        let connection = try await connect(to: server, timeoutMilliseconds: 2_000)
        // The echo server never answers this frame: a connection that waited for an answer would
        // throw its 2 s request timeout here instead of returning.
        let answer = try await connection.sendRaw(apiKey: .produce, version: 3, expectsResponse: false) { buffer in
            buffer.writeInteger(Int32(-1))
        }
        #expect(answer.readableBytes == 0)
        #expect(try await echo(connection, instruction: 0, payload: "after") == "after")
        await connection.close()
        await server.stop()
    }

    @Test func aClosedConnectionFailsWaitingRequests() async throws {
        let server = try await EchoServer.start()
        // A long request timeout, so that on a loaded machine the close, not the timeout, ends
        // the waiting request.
        let connection = try await connect(to: server, timeoutMilliseconds: 120_000)
        // -1: the server never answers, so only the close can end this request.
        async let waiting = echo(connection, instruction: -1, payload: "waiting")
        try await Task.sleep(for: .milliseconds(50))
        do {
            _ = try await echo(connection, instruction: -2, payload: "close")
            Issue.record("expected the close to fail the request")
        } catch {
            #expect(error.kind == .connectionClosed)
        }
        do {
            _ = try await waiting
            Issue.record("expected the close to fail the waiting request")
        } catch {
            #expect((error as? KafkaError)?.kind == .connectionClosed)
        }
        #expect(!connection.isActive)
        await server.stop()
    }

    @Test func connectingToAClosedPortFailsWithAConnectionError() async throws {
        let server = try await EchoServer.start()
        let port = server.port
        await server.stop()
        do {
            _ = try await KafkaConnection.connect(host: "127.0.0.1", port: port)
            Issue.record("expected a connection failure")
        } catch {
            #expect(error.kind == .connectionFailed)
        }
    }
}

@Suite struct FrameDecoderTests {
    @Test func waitsForWholeFramesAndSplitsConcatenatedOnes() throws {
        var stream = ByteBuffer()
        for payload in ["ab", "", "cde"] {
            stream.writeInteger(Int32(payload.utf8.count))
            stream.writeString(payload)
        }
        // Feed byte by byte: a frame comes out only once all its bytes are there.
        var fed = ByteBuffer()
        var frames: [String] = []
        for byte in stream.readableBytesView {
            fed.writeInteger(byte)
            while let frame = try KafkaFrameDecoder.nextFrame(in: &fed, frameBytesMax: 100) {
                frames.append(String(buffer: frame))
            }
        }
        #expect(frames == ["ab", "", "cde"])
        #expect(fed.readableBytes == 0)
    }

    @Test func rejectsNegativeAndOversizedFrames() {
        for size in [Int32(-1), Int32(101)] {
            var buffer = ByteBuffer()
            buffer.writeInteger(size)
            #expect(throws: KafkaError.self) { try KafkaFrameDecoder.nextFrame(in: &buffer, frameBytesMax: 100) }
        }
    }
}
