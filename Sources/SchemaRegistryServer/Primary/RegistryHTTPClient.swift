// A minimal HTTP/1.1 client on SwiftNIO: one request per connection, the whole answer
// collected. Non-primary instances forward writes to the primary with it (a write is one
// small request, so connection reuse buys little), and the tests drive the registry with it
// over real sockets. Answers are capped at `responseBytesMax`; every wait has a deadline.
import NIOCore
import NIOHTTP1
import NIOPosix

struct HTTPExchangeResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct HTTPExchangeError: Error, CustomStringConvertible {
    var description: String
}

enum RegistryHTTPClient {
    /// Largest answer accepted (a list of every schema can be large, but not unbounded).
    static let responseBytesMax = 64 * 1024 * 1024

    static func send(
        host: String, port: Int, method: String, target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeoutMilliseconds: Int64 = 30_000
    ) async throws -> HTTPExchangeResponse {
        let group = MultiThreadedEventLoopGroup.singleton
        let eventLoop = group.any()
        let promise = eventLoop.makePromise(of: HTTPExchangeResponse.self)
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(timeoutMilliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: host, port: port).get()
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
        head.headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let timeout = eventLoop.scheduleTask(in: .milliseconds(timeoutMilliseconds)) {
            promise.fail(HTTPExchangeError(description: "no answer from \(host):\(port) within \(timeoutMilliseconds) ms"))
            channel.close(promise: nil)
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer { timeout.cancel() }
        return try await promise.futureResult.get()
    }
}

/// Collects one response and completes the promise; closing or failing first fails it.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPExchangeResponse>
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var isDone = false

    init(promise: EventLoopPromise<HTTPExchangeResponse>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= RegistryHTTPClient.responseBytesMax else {
                finish(.failure(HTTPExchangeError(description: "answer larger than \(RegistryHTTPClient.responseBytesMax) bytes")))
                context.close(promise: nil)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else {
                finish(.failure(HTTPExchangeError(description: "answer without a head")))
                return
            }
            finish(.success(HTTPExchangeResponse(
                status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: body)))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(HTTPExchangeError(description: "the connection closed before the answer was complete")))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<HTTPExchangeResponse, any Error>) {
        guard !isDone else { return }
        isDone = true
        promise.completeWith(result)
    }
}
