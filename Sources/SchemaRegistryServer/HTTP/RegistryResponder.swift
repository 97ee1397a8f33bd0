// The Hummingbird responder: checks the request's content type, reads the body up to the
// configured limit, finds the route and renders its reply (or error) as Confluent does, with
// `Content-Type: application/vnd.schemaregistry.v1+json`. Unknown paths get a JSON 404 and
// known paths under another method a JSON 405, so a client always gets an `error_code`.
// A write on an instance that is not the primary is handed to `forwardWrite` instead of
// running here. GET /schemas/ids/{id} without a query — what every deserializer asks for each
// writer schema — skips the general parsing and routing and answers stored bytes.
import Hummingbird
import NIOCore
import JSON
import SchemaRegistry

struct RegistryResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    /// Sends a write to the primary; nil when this instance should run it itself.
    typealias WriteForwarder = @Sendable (RegistryRequest, _ target: String, _ contentType: String?) async -> RegistryReply?

    static let responseContentType = "application/vnd.schemaregistry.v1+json"
    /// Media types accepted for request bodies (Confluent's Versions.java, plus octet-stream).
    static let acceptedContentTypes: Set<String> = [
        "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json",
        "application/octet-stream",
    ]

    static let responseHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[.contentType] = responseContentType
        return headers
    }()

    let routes: RegistryRoutes
    let requestBodyBytesMax: Int
    let forwardWrite: WriteForwarder?
    /// Stored bodies of GET /schemas/ids/{id}; nil when the id is unknown.
    let schemaBody: @Sendable (Int) -> ByteBuffer?

    func respond(to request: Request, context: Context) async throws -> Response {
        if let id = Self.plainSchemaIdRequest(request), let body = schemaBody(id) {
            return Response(status: .ok, headers: Self.responseHeaders, body: ResponseBody(byteBuffer: body))
        }
        let reply = await reply(to: request)
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: Self.responseHeaders,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.text)))
    }

    /// Longest decimal id in a path (Int32.max has 10 digits).
    static let schemaIdDigitsMax = 10

    /// The id of a `GET /schemas/ids/{digits}` with no query and no body, else nil. Anything
    /// else (a query, percent-escapes, a body, a media type to check) takes the general path,
    /// which answers the same for these requests.
    static func plainSchemaIdRequest(_ request: Request) -> Int? {
        guard request.method == .get, request.headers[.contentType] == nil, request.headers[.contentLength] == nil,
            request.headers[.transferEncoding] == nil, let path = request.head.path
        else { return nil }
        let prefix = "/schemas/ids/".utf8
        let bytes = path.utf8
        guard bytes.count > prefix.count, bytes.count <= prefix.count + schemaIdDigitsMax, bytes.starts(with: prefix) else {
            return nil
        }
        var id = 0
        for byte in bytes.dropFirst(prefix.count) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            id = id * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard id >= 1, id <= Int(Int32.max) else { return nil }
        return id
    }

    private func reply(to request: Request) async -> RegistryReply {
        let contentType = request.headers[.contentType]
        if let contentType, !Self.isAccepted(contentType) {
            return .error(.unsupportedMediaType(contentType))
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > requestBodyBytesMax {
            return .error(.requestTooLarge(bytesMax: requestBodyBytesMax))
        }
        var body: [UInt8] = []
        do {
            for try await buffer in request.body {
                guard body.count + buffer.readableBytes <= requestBodyBytesMax else {
                    return .error(.requestTooLarge(bytesMax: requestBodyBytesMax))
                }
                body.append(contentsOf: buffer.readableBytesView)
            }
        } catch {
            return .error(RegistryError(httpStatus: 400, errorCode: 400, message: "HTTP 400 Bad Request: the body could not be read"))
        }
        let target = request.head.path ?? "/"
        let forwardedName = WriteForwarding.forwardedHeader.lowercased()
        let isForwarded = request.headers.contains { $0.name.canonicalName == forwardedName }
        let parsed = RegistryRequest.parse(method: request.method.rawValue, target: target, body: body, isForwarded: isForwarded)
        switch routes.match(method: parsed.method, segments: parsed.segments) {
        case .notFound: return .error(.routeNotFound)
        case .methodNotAllowed: return .error(.methodNotAllowed)
        case .found(let route, let parameters):
            if route.isWrite, let forwardWrite, let forwarded = await forwardWrite(parsed, target, contentType) {
                return forwarded
            }
            do throws(RegistryError) {
                return try await route.handle(parsed, parameters)
            } catch {
                return .error(error)
            }
        }
    }

    /// Compares the media type only (parameters such as charset are allowed).
    static func isAccepted(_ contentType: String) -> Bool {
        var mediaType = contentType.prefix { $0 != ";" }
        while mediaType.first?.isWhitespace == true { mediaType.removeFirst() }
        while mediaType.last?.isWhitespace == true { mediaType.removeLast() }
        return mediaType.isEmpty || acceptedContentTypes.contains(mediaType.lowercased())
    }
}
