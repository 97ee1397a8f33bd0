// The request and reply shapes the route handlers speak, independent of Hummingbird: a request
// with decoded path segments, query parameters and the whole body; a reply that is JSON (or
// raw schema text) with a status. Also the Confluent conventions every handler shares: query
// booleans parsed case-insensitively, JSON bodies parsed with the error position reported,
// and the registry's JSON renderings of schemas, configs and modes.
import JSON
import SchemaRegistry

/// One HTTP request as the handlers see it.
struct RegistryRequest: Sendable {
    var method: String
    /// Path segments, percent-decoded ("/subjects/a%2Fb/versions" → ["subjects", "a/b", "versions"]).
    var segments: [String]
    /// Query parameters, first occurrence wins, names and values percent-decoded.
    var query: [String: String]
    var body: [UInt8]
    /// Sent on by another instance (it must not be forwarded again).
    var isForwarded = false

    /// A query boolean: "true" in any case is true (Python clients send `True`), anything else false.
    func flag(_ name: String) -> Bool {
        query[name]?.lowercased() == "true"
    }

    /// The body as a JSON object, or the 422 Confluent gives for an unparsable entity.
    func jsonObject() throws(RegistryError) -> JSONObject {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw RegistryError(
                httpStatus: 422, errorCode: 422,
                message: "Unprocessable entity: malformed JSON at line \(error.line), column \(error.column) (byte \(error.position)): \(error.message)")
        }
        guard case .object(let object) = document else {
            throw RegistryError(httpStatus: 422, errorCode: 422, message: "Unprocessable entity: the request body must be a JSON object")
        }
        return object
    }

    /// Splits a raw path and query ("/a%20b/c?x=1") into decoded parts.
    static func parse(method: String, target: String, body: [UInt8], isForwarded: Bool = false) -> RegistryRequest {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? "/"
        let segments = path.split(separator: "/").map { percentDecoded($0) ?? String($0) }
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ text: Substring) -> String {
                    let spaced = text.contains("+") ? Substring(text.replacing("+", with: " ")) : text
                    return percentDecoded(spaced) ?? String(spaced)
                }
                let name = decode(nameAndValue[0])
                if query[name] == nil { query[name] = nameAndValue.count > 1 ? decode(nameAndValue[1]) : "" }
            }
        }
        return RegistryRequest(method: method, segments: segments, query: query, body: body, isForwarded: isForwarded)
    }

    /// `text` with its %XX escapes decoded; nil when an escape is malformed or the bytes are not
    /// UTF-8 (as Foundation's removingPercentEncoding, without Foundation on every request).
    static func percentDecoded(_ text: Substring) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            decoded.append(high << 4 | low)
        }
        return String(validating: decoded, as: UTF8.self)
    }
}

/// What a handler answers.
struct RegistryReply: Sendable {
    var status: Int
    /// The body text (JSON, or a raw schema for the `/schema` endpoints, which is JSON as well).
    var text: String

    static func json(_ value: JSONValue, status: Int = 200) -> RegistryReply {
        RegistryReply(status: status, text: value.serialized())
    }

    static func error(_ error: RegistryError) -> RegistryReply {
        json(.object(JSONObject([("error_code", .integer(Int64(error.errorCode))), ("message", .string(error.message))])),
             status: error.httpStatus)
    }

    static func integers(_ values: [Int]) -> RegistryReply {
        json(.array(values.map { .integer(Int64($0)) }))
    }

    static func strings(_ values: [String]) -> RegistryReply {
        json(.array(values.map { .string($0) }))
    }
}

/// The registry's JSON renderings (Confluent's entity classes).
enum RegistryJSON {
    /// Fields of the data-contract family returned with a schema (Confluent's Schema/SchemaString).
    static let contractFields = ["metadata", "ruleSet"]

    static func references(_ references: [SchemaReference]) -> JSONValue {
        .array(references.map(SchemaRegistryRecord.encodeReference))
    }

    /// `{subject, version, id, schemaType?, references?, schema, ...extra}` (GET …/versions/{v}, lookups).
    static func schema(_ registered: RegisteredSchema) -> JSONValue {
        var object = JSONObject()
        object["subject"] = .string(registered.subject)
        object["version"] = .integer(Int64(registered.version))
        object["id"] = .integer(Int64(registered.id))
        if registered.schemaType != .avro { object["schemaType"] = .string(registered.schemaType.rawValue) }
        if !registered.references.isEmpty { object["references"] = references(registered.references) }
        object["schema"] = .string(registered.schema)
        for member in registered.extra.members where object[member.key] == nil { object[member.key] = member.value }
        return .object(object)
    }

    /// `{schemaType?, schema, references?, metadata?, ruleSet?}` (GET /schemas/ids/{id}).
    static func schemaString(_ registered: RegisteredSchema) -> JSONValue {
        var object = JSONObject()
        if registered.schemaType != .avro { object["schemaType"] = .string(registered.schemaType.rawValue) }
        object["schema"] = .string(registered.schema)
        if !registered.references.isEmpty { object["references"] = references(registered.references) }
        for field in contractFields { if let value = registered.extra[field] { object[field] = value } }
        return .object(object)
    }

    /// `{"compatibilityLevel": …, …}` as GET /config answers.
    static func config(_ config: ConfigValue) -> JSONValue {
        var object = JSONObject()
        object["compatibilityLevel"] = .string(config.compatibilityLevel.rawValue)
        for member in config.extra.members where object[member.key] == nil { object[member.key] = member.value }
        return .object(object)
    }

    static func mode(_ mode: RegistryMode) -> JSONValue {
        .object(JSONObject([("mode", .string(mode.rawValue))]))
    }
}

/// Errors the HTTP layer itself reports, in Confluent's (Jersey's) shape.
extension RegistryError {
    static let routeNotFound = RegistryError(httpStatus: 404, errorCode: 404, message: "HTTP 404 Not Found")
    static let methodNotAllowed = RegistryError(httpStatus: 405, errorCode: 405, message: "HTTP 405 Method Not Allowed")

    static func unsupportedMediaType(_ contentType: String) -> RegistryError {
        RegistryError(
            httpStatus: 415, errorCode: 415,
            message: "HTTP 415 Unsupported Media Type: '\(contentType)'; use application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json or application/json")
    }

    static func requestTooLarge(bytesMax: Int) -> RegistryError {
        RegistryError(
            httpStatus: 413, errorCode: 413, message: "Request body exceeds the maximum request size of \(bytesMax) bytes")
    }

    static func invalidParameter(_ name: String, _ value: String, expected: String) -> RegistryError {
        RegistryError(httpStatus: 422, errorCode: 422, message: "Invalid value '\(value)' for parameter \(name): expected \(expected)")
    }

    static func operationTimedOut(_ detail: String) -> RegistryError {
        RegistryError(httpStatus: 500, errorCode: 50002, message: "Operation timed out: \(detail)")
    }
}
