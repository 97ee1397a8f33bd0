// One TCP connection to one Kafka broker, with async/await requests.
//
// On connect the connection asks the broker for its ApiVersions and from then on sends every
// request at min(broker max, our max). Requests are pipelined: `send` may be called from many
// tasks at once, each request gets a correlation id, and answers are matched back by that id
// (`RequestPipeline`). Every request has a timeout; `close()` fails whatever is still waiting.
import KafkaProtocol
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class KafkaConnection: Sendable {
    public struct Configuration: Sendable {
        /// Sent in every request header; brokers log it and use it for quotas.
        public var clientId: String
        /// How long to wait for a TCP connection.
        public var connectTimeoutMilliseconds: Int64
        /// How long to wait for each answer.
        public var requestTimeoutMilliseconds: Int64
        /// Requests written but not yet answered; more wait in a queue.
        public var maxInFlightRequests: Int
        /// Largest answer frame accepted from the broker.
        public var responseFrameBytesMax: Int
        /// Highest versions to use per API (below the codec maximum).
        public var versionCaps: [ApiKey: Int16]

        public init(
            clientId: String = "brook",
            connectTimeoutMilliseconds: Int64 = 10_000,
            requestTimeoutMilliseconds: Int64 = 30_000,
            maxInFlightRequests: Int = 16,
            responseFrameBytesMax: Int = 256 * 1024 * 1024,
            versionCaps: [ApiKey: Int16] = ApiVersionTable.defaultVersionCaps
        ) {
            self.clientId = clientId
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
            self.maxInFlightRequests = maxInFlightRequests
            self.responseFrameBytesMax = responseFrameBytesMax
            self.versionCaps = versionCaps
        }
    }

    /// Name and version sent in ApiVersions v3+ (the broker checks them against [a-zA-Z0-9.-]).
    static let clientSoftwareName = "brook-swift"
    static let clientSoftwareVersion = "0.1.0"

    public let host: String
    public let port: Int
    public let configuration: Configuration
    /// What the broker advertised; empty when negotiation was skipped (tests only).
    public let apiVersions: ApiVersionTable
    let channel: any Channel

    private init(host: String, port: Int, configuration: Configuration, channel: any Channel, apiVersions: ApiVersionTable) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.channel = channel
        self.apiVersions = apiVersions
    }

    /// Opens a connection and negotiates API versions.
    public static func connect(
        host: String, port: Int, configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(KafkaError) -> KafkaConnection {
        try await connect(
            host: host, port: port, configuration: configuration, eventLoopGroup: eventLoopGroup,
            negotiateVersions: true)
    }

    static func connect(
        host: String, port: Int, configuration: Configuration, eventLoopGroup: any EventLoopGroup,
        negotiateVersions: Bool
    ) async throws(KafkaError) -> KafkaConnection {
        let name = "\(host):\(port)"
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.milliseconds(configuration.connectTimeoutMilliseconds))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(
                                KafkaFrameDecoder(frameBytesMax: configuration.responseFrameBytesMax)))
                        try channel.pipeline.syncOperations.addHandler(
                            KafkaConnectionHandler(
                                maxInFlightRequests: configuration.maxInFlightRequests, connectionName: name))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw KafkaError(kind: .connectionFailed, context: "connecting to \(name)", detail: describeConnectFailure(error))
        }
        var table = ApiVersionTable(brokerRanges: [:])
        if negotiateVersions {
            do {
                table = try await negotiate(channel: channel, configuration: configuration, name: name)
            } catch {
                try? await channel.close()
                throw error
            }
        }
        return KafkaConnection(host: host, port: port, configuration: configuration, channel: channel, apiVersions: table)
    }

    /// A short reason ("Connection refused") instead of NIO's nested error dump.
    private static func describeConnectFailure(_ error: any Error) -> String {
        if let connectionError = error as? NIOConnectionError, let first = connectionError.connectionErrors.first {
            return describeConnectFailure(first.error)
        }
        if let ioError = error as? IOError {
            return String(cString: strerror(ioError.errnoCode))
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "timed out"
        }
        return "\(error)"
    }

    /// ApiVersions at our highest version; a broker that does not know it answers
    /// UNSUPPORTED_VERSION with its own range, and we ask again at that range's maximum (KIP-511).
    private static func negotiate(channel: any Channel, configuration: Configuration, name: String)
        async throws(KafkaError) -> ApiVersionTable
    {
        let request = ApiVersionsRequest(
            clientSoftwareName: clientSoftwareName, clientSoftwareVersion: clientSoftwareVersion)
        var version = ApiVersionsRequest.validVersions.upperBound
        for _ in 0..<2 {
            let response = try await exchange(
                request, version: version, channel: channel, configuration: configuration, name: name,
                expectsResponse: true)
            guard let response else { break }
            let code = ErrorCode(rawValue: response.errorCode)
            if code == .unsupportedVersion {
                let brokerMax = response.apiKeys.first { $0.apiKey == ApiKey.apiVersions.rawValue }?.maxVersion ?? 0
                version = min(brokerMax, ApiVersionsRequest.validVersions.upperBound)
                continue
            }
            if let error = KafkaError.broker(code, context: "asking \(name) for its API versions") {
                throw error
            }
            return ApiVersionTable(response: response)
        }
        throw KafkaError(
            kind: .unsupportedVersion, context: "asking \(name) for its API versions",
            detail: "the broker rejected every ApiVersions version tried")
    }

    /// The version this connection uses for `Request`.
    public func version<Request: KafkaRequest>(for request: Request.Type) throws(KafkaError) -> Int16 {
        try apiVersions.version(for: request, caps: configuration.versionCaps)
    }

    /// Sends a request at the negotiated version and waits for its answer.
    public func send<Request: KafkaRequest>(_ request: Request) async throws(KafkaError) -> Request.Response {
        let version = try version(for: Request.self)
        return try await send(request, version: version)
    }

    /// Sends a request at an explicit version and waits for its answer.
    public func send<Request: KafkaRequest>(_ request: Request, version: Int16) async throws(KafkaError)
        -> Request.Response
    {
        let response = try await Self.exchange(
            request, version: version, channel: channel, configuration: configuration, name: "\(host):\(port)",
            expectsResponse: true)
        guard let response else {
            throw KafkaError(kind: .protocolViolation, context: "sending \(Request.apiKey) to \(host):\(port)")
        }
        return response
    }

    /// Sends a request the broker does not answer (Produce with acks=0); returns once written.
    public func sendWithoutResponse<Request: KafkaRequest>(_ request: Request) async throws(KafkaError) {
        let version = try version(for: Request.self)
        _ = try await Self.exchange(
            request, version: version, channel: channel, configuration: configuration, name: "\(host):\(port)",
            expectsResponse: false)
    }

    /// Sends a request whose body `writeBody` encodes and returns the answer's bytes after the
    /// correlation id (response header tagged fields included). For tests of the framing layer.
    func sendRaw(
        apiKey: ApiKey, version: Int16, expectsResponse: Bool = true, writeBody: (inout ByteBuffer) -> Void
    ) async throws(KafkaError) -> ByteBuffer {
        let header = RequestHeader(apiKey: apiKey.rawValue, apiVersion: version, correlationId: 0, clientId: configuration.clientId)
        return try await Self.exchangeFrame(
            channel: channel, timeoutMilliseconds: configuration.requestTimeoutMilliseconds, expectsResponse: expectsResponse,
            context: "sending \(apiKey) v\(version) to \(host):\(port)"
        ) { buffer in
            header.encode(into: &buffer)
            writeBody(&buffer)
        }
    }

    /// Whether the TCP connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Closes the connection; requests still waiting fail with `.connectionClosed`.
    public func close() async {
        try? await channel.close()
    }

    private static func exchange<Request: KafkaRequest>(
        _ request: Request, version: Int16, channel: any Channel, configuration: Configuration, name: String,
        expectsResponse: Bool
    ) async throws(KafkaError) -> Request.Response? {
        let header = RequestHeader(
            apiKey: Request.apiKey.rawValue, apiVersion: version, correlationId: 0, clientId: configuration.clientId)
        var payload = try await exchangeFrame(
            channel: channel, timeoutMilliseconds: configuration.requestTimeoutMilliseconds,
            expectsResponse: expectsResponse, context: "sending \(Request.apiKey) v\(version) to \(name)"
        ) { buffer in
            header.encode(into: &buffer)
            request.encode(into: &buffer, version: version)
        }
        guard expectsResponse else { return nil }
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

    /// Frames a request written by `writeBody` (header included, correlation id stamped by the
    /// handler), sends it and returns the answer's bytes after the correlation id.
    static func exchangeFrame(
        channel: any Channel, timeoutMilliseconds: Int64, expectsResponse: Bool, context: String,
        writeBody: (inout ByteBuffer) -> Void
    ) async throws(KafkaError) -> ByteBuffer {
        var frame = channel.allocator.buffer(capacity: 256)
        frame.writeInteger(Int32(0))
        writeBody(&frame)
        frame.setInteger(Int32(frame.readableBytes - KafkaFrameDecoder.sizePrefixBytes), at: frame.readerIndex)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let outgoing = OutgoingRequest(
            frame: frame, expectsResponse: expectsResponse, timeout: .milliseconds(timeoutMilliseconds),
            promise: promise)
        channel.writeAndFlush(outgoing).whenFailure { error in
            promise.fail(KafkaError(kind: .connectionClosed, context: context, detail: "\(error)"))
        }
        do {
            return try await promise.futureResult.get()
        } catch let error as KafkaError {
            throw KafkaError(kind: error.kind, code: error.code, context: context, detail: error.detail ?? error.context)
        } catch {
            throw KafkaError(kind: .connectionClosed, context: context, detail: "\(error)")
        }
    }
}
