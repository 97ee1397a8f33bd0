// The Hummingbird responder: checks the request's content type, reads the body up to the
// configured limit, finds the route and renders its reply (or error) as Confluent does, with
// `Content-Type: application/vnd.schemaregistry.v1+json`. Unknown paths get a JSON 404 and
// known paths under another method a JSON 405, so a client always gets an `error_code`.
// A write on an instance that is not the primary is handed to `forwardWrite` instead of
// running here.
import Foundation
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

    let routes: RegistryRoutes
    let requestBodyBytesMax: Int
    let forwardWrite: WriteForwarder?

    func respond(to request: Request, context: Context) async throws -> Response {
        let reply = await reply(to: request)
        var headers = HTTPFields()
        headers[.contentType] = Self.responseContentType
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.text)))
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
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        return mediaType.isEmpty || acceptedContentTypes.contains(mediaType)
    }
}
