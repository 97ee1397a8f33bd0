// SchemaRegistryClient: a Confluent Schema Registry REST client over SwiftNIO HTTP/1.1. This file
// holds the plumbing every typed call (SchemaRegistryClient+API.swift) goes through: building a
// request (path prefix, query, headers, credentials), running it on a pooled keep-alive connection
// with a timeout, retrying what may succeed when tried again, and turning error answers into
// `SchemaRegistryClientError`. The client is Sendable; share one per registry.
import Foundation
import JSON
import NIOCore
import NIOHTTP1
import NIOPosix

public final class SchemaRegistryClient: Sendable {
    public let configuration: SchemaRegistryClientConfiguration
    private let pool: HTTPConnectionPool

    /// The media type Confluent's clients send and prefer (Versions.java).
    static let contentType = "application/vnd.schemaregistry.v1+json"
    static let acceptTypes = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json"

    public init(
        configuration: SchemaRegistryClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(SchemaRegistryClientError) {
        self.configuration = try configuration.validated()
        pool = HTTPConnectionPool(
            endpoint: configuration.endpoint, connectTimeoutMilliseconds: configuration.connectTimeoutMilliseconds,
            connectionsMax: configuration.connectionsMax, eventLoopGroup: eventLoopGroup)
    }

    /// A client for `url` ("http://127.0.0.1:8081") with default settings.
    public convenience init(url: String) throws(SchemaRegistryClientError) {
        try self.init(configuration: try SchemaRegistryClientConfiguration(url: url))
    }

    /// Closes idle connections; calls after this fail with `.shutDown`.
    public func shutdown() async {
        await pool.shutdown()
    }

    /// HTTP exchanges started so far (each retry counts), and TCP connections opened.
    public var statistics: (exchangesStarted: Int, connectionsOpened: Int) {
        get async { (await pool.exchangesStarted, await pool.connectionsOpened) }
    }

    // MARK: Requests

    struct Request: Sendable {
        var method: HTTPMethod
        /// Already-encoded path segments, joined with "/" after the endpoint's prefix.
        var pathSegments: [String]
        var query: [(name: String, value: String)] = []
        var body: JSONValue?

        init(_ method: HTTPMethod, _ pathSegments: [String], query: [(name: String, value: String)] = [], body: JSONValue? = nil) {
            self.method = method
            self.pathSegments = pathSegments
            self.query = query
            self.body = body
        }

        var target: String {
            var text = "/" + pathSegments.map(PathEncoding.encode).joined(separator: "/")
            if !query.isEmpty {
                text += "?" + query.map { "\(PathEncoding.encode($0.name))=\(PathEncoding.encode($0.value))" }.joined(separator: "&")
            }
            return text
        }
    }

    /// Sends `request` and returns the body of a 2xx answer; error statuses become errors.
    func send(_ request: Request) async throws(SchemaRegistryClientError) -> ByteBuffer {
        let target = configuration.endpoint.pathPrefix + request.target
        let label = "\(request.method.rawValue) \(target)"
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: target)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "Accept", value: Self.acceptTypes)
        head.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let authorization = configuration.authorizationHeader { head.headers.add(name: "Authorization", value: authorization) }
        var body: ByteBuffer?
        if let document = request.body {
            let buffer = ByteBuffer(string: document.serialized())
            head.headers.add(name: "Content-Type", value: Self.contentType)
            head.headers.add(name: "Content-Length", value: String(buffer.readableBytes))
            body = buffer
        } else if request.method == .POST || request.method == .PUT {
            head.headers.add(name: "Content-Length", value: "0")
        }

        var retriesLeft = configuration.retriesMax
        var backoffMilliseconds = configuration.retryBackoffMilliseconds
        while true {
            let failure: SchemaRegistryClientError
            do {
                let response = try await exchange(head: head, body: body, label: label)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return response.body }
                failure = RegistryResponseDecoding.registryError(status: status, body: response.body, request: label)
            } catch {
                failure = error
            }
            guard failure.isRetriable, retriesLeft > 0 else { throw failure }
            retriesLeft -= 1
            try? await Task.sleep(for: .milliseconds(backoffMilliseconds))
            backoffMilliseconds *= 2
        }
    }

    /// An answer passed on as the registry gave it.
    public struct RawResponse: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The first header of that name (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Sends one request as given (method, target after the path prefix, extra headers, body)
    /// and returns the answer whatever its status, without retrying: a registry instance
    /// forwards writes to the primary with it, and tests drive a registry with requests the
    /// typed calls would never send. Only transport failures throw.
    public func sendRaw(
        method: String, target: String, headers extraHeaders: [(name: String, value: String)] = [], body: [UInt8] = []
    ) async throws(SchemaRegistryClientError) -> RawResponse {
        let uri = configuration.endpoint.pathPrefix + target
        let label = "\(method) \(uri)"
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: uri)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let authorization = configuration.authorizationHeader { head.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in extraHeaders { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: String(body.count))
        let response = try await exchange(head: head, body: body.isEmpty ? nil : ByteBuffer(bytes: body), label: label)
        return RawResponse(
            status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: Array(response.body.readableBytesView))
    }

    /// One exchange on a pooled connection. A reused connection that closes before answering was
    /// most likely closed by the server's idle timeout as we wrote; that one case is tried again
    /// at once on a fresh connection without spending a retry.
    private func exchange(head: HTTPRequestHead, body: ByteBuffer?, label: String)
        async throws(SchemaRegistryClientError) -> HTTPExchangeResponse
    {
        var staleRetriesLeft = configuration.connectionsMax
        while true {
            let (channel, isReused) = try await pool.borrow()
            let promise = channel.eventLoop.makePromise(of: HTTPExchangeResponse.self)
            let exchange = HTTPExchange(
                head: head, body: body, promise: promise,
                timeout: .milliseconds(configuration.requestTimeoutMilliseconds),
                responseBodyBytesMax: configuration.responseBodyBytesMax)
            channel.writeAndFlush(exchange).whenFailure { error in promise.fail(error) }
            do {
                let response = try await promise.futureResult.get()
                await pool.giveBack(channel, isReusable: response.keepsConnection)
                return response
            } catch {
                await pool.giveBack(channel, isReusable: false)
                let failure = error as? HTTPExchangeFailure ?? .transport(String(describing: error))
                if failure == .closedBeforeResponse, isReused, staleRetriesLeft > 0 {
                    staleRetriesLeft -= 1
                    continue
                }
                throw publicError(failure, label: label)
            }
        }
    }

    private func publicError(_ failure: HTTPExchangeFailure, label: String) -> SchemaRegistryClientError {
        let endpoint = configuration.endpoint
        switch failure {
        case .closedBeforeResponse, .closedDuringResponse:
            return SchemaRegistryClientError(
                kind: .connectionClosed, message: "the registry at \(endpoint) closed the connection before answering",
                request: label)
        case .timedOut:
            return SchemaRegistryClientError(
                kind: .timedOut,
                message: "no answer from \(endpoint) within \(configuration.requestTimeoutMilliseconds) ms; raise the request timeout or check the registry",
                request: label)
        case .bodyTooLarge(let bytesMax):
            return SchemaRegistryClientError(
                kind: .invalidResponse, message: "the answer is larger than the \(bytesMax)-byte limit (responseBodyBytesMax)",
                request: label)
        case .connectionBusy:
            return SchemaRegistryClientError(kind: .invalidResponse, message: "internal: a pooled connection was busy", request: label)
        case .transport(let detail):
            return SchemaRegistryClientError(
                kind: .connectionClosed, message: "the exchange with \(endpoint) failed: \(detail)", request: label)
        }
    }

    private var hostHeader: String {
        let endpoint = configuration.endpoint
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        return endpoint.port == 80 ? host : "\(host):\(endpoint.port)"
    }

    /// Sends and parses the answer as JSON.
    func sendJSON(_ request: Request) async throws(SchemaRegistryClientError) -> (JSONValue, String) {
        let body = try await send(request)
        let label = "\(request.method.rawValue) \(configuration.endpoint.pathPrefix)\(request.target)"
        return (try RegistryResponseDecoding.json(body, request: label), label)
    }
}

/// Percent-encoding of path segments and query parts: everything but RFC 3986's unreserved
/// characters is escaped, so subjects with '/', ':' or spaces reach the server intact.
enum PathEncoding {
    static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return result
    }
}
